"""d2l §7.6: LeNet-5, NHWC."""

import keras


class LeNet(keras.Model):
    def __init__(self, num_classes=10):
        super().__init__()
        self.net = keras.Sequential([
            keras.layers.Conv2D(6, kernel_size=5, padding='same', activation='sigmoid'),
            keras.layers.AveragePooling2D(pool_size=2, strides=2),
            keras.layers.Conv2D(16, kernel_size=5, activation='sigmoid'),
            keras.layers.AveragePooling2D(pool_size=2, strides=2),
            keras.layers.Flatten(),  # in (H, W, C) order
            keras.layers.Dense(120, activation='sigmoid'),
            keras.layers.Dense(84, activation='sigmoid'),
            keras.layers.Dense(num_classes)])

    def call(self, X):  # X: (N, 28, 28, 1)
        return self.net(X)
