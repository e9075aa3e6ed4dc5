"""Squeeze-and-excitation in Keras 3; feature maps are NHWC."""

import keras


class SqueezeExcitation(keras.Model):
    def __init__(self, channels=8, reduction=4):
        super().__init__()
        self.excite = keras.Sequential([keras.layers.Dense(channels // reduction, activation="relu"),
                                        keras.layers.Dense(channels, activation="sigmoid")])

    def call(self, x):  # x: (N, H, W, C)
        s = self.excite(keras.ops.mean(x, axis=(1, 2)))  # (N, C)
        return x * s[:, None, None, :]
