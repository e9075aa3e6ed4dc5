"""d2l §7.5: pooling with padding and stride, NHWC."""

import keras


class MaxPool(keras.Model):
    def __init__(self):
        super().__init__()
        # On a 5x5 map 'same' pads 1 on each side, like padding=1; padding never wins
        self.pool = keras.layers.MaxPooling2D(3, strides=2, padding='same')

    def call(self, X):  # X: (N, 5, 5, C), each channel pooled on its own
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
