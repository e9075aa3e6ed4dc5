"""d2l §7.3: padding and stride, NHWC."""

import keras


class PaddedConv(keras.Model):
    def __init__(self, kernel_size, padding, stride):
        super().__init__()
        # Keras convolutions pad only 'valid' (none) or 'same': pad explicitly.
        # ('same' equals padding=1 at stride 1, but not at stride 2: padding_same.)
        self.pad = keras.layers.ZeroPadding2D(padding)  # (rows, columns), both sides
        self.conv = keras.layers.Conv2D(1, kernel_size, strides=stride)

    def call(self, X):  # X: (N, 8, 8, 1)
        return self.conv(self.pad(X))
