"""d2l §7.3: 'same' padding, NHWC. Keras's 'same' is TF's: the odd pixel goes after."""

import keras


class SameConv(keras.Model):
    def __init__(self, kernel_size, stride):
        super().__init__()
        self.conv = keras.layers.Conv2D(1, kernel_size, strides=stride, padding='same')

    def call(self, X):  # X: (N, 8, 8, 1)
        return self.conv(X)


SameConvStride2 = SameConv  # 'same' works at any stride: (0, 1) on 8x8 at stride 2


class SymmetricConv(keras.Model):
    """The book's 'same': padding (k - 1) // 2 on both sides (a trap here)."""

    def __init__(self, kernel_size, stride):
        super().__init__()
        self.pad = keras.layers.ZeroPadding2D([(k - 1) // 2 for k in kernel_size])
        self.conv = keras.layers.Conv2D(1, kernel_size, strides=stride)

    def call(self, X):
        return self.conv(self.pad(X))
