"""d2l §7.5: pooling with padding and stride, NHWC."""

import keras
from keras import ops


class MaxPool(keras.Model):
    def __init__(self):
        super().__init__()
        # 'same' pads (0, 1) on an even map: pad 1 explicitly, with -inf so
        # that padding never wins
        self.pool = keras.layers.MaxPooling2D(3, strides=2)

    def call(self, X):  # X: (N, H, W, C), each channel pooled on its own
        pad = ((0, 0), (1, 1), (1, 1), (0, 0))
        return self.pool(ops.pad(X, pad, constant_values=float('-inf')))


class MaxPoolSame(keras.Model):
    """'same' padding: like padding=1 on a 5x5 map only (a trap here)."""

    def __init__(self):
        super().__init__()
        self.pool = keras.layers.MaxPooling2D(3, strides=2, padding='same')

    def call(self, X):
        return self.pool(X)


class AvgPool(keras.Model):
    def __init__(self):
        super().__init__()
        # 'same' would divide border windows by their real cells only: pad zeros instead
        self.pad = keras.layers.ZeroPadding2D(1)
        self.pool = keras.layers.AveragePooling2D(3, strides=2)

    def call(self, X):
        return self.pool(self.pad(X))


class AvgPoolSame(keras.Model):
    """Keras's own padded average: the padded cells are not counted (a trap here)."""

    def __init__(self):
        super().__init__()
        self.pool = keras.layers.AveragePooling2D(3, strides=2, padding='same')

    def call(self, X):
        return self.pool(X)
