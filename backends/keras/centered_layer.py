"""d2l §6.5: a custom layer without parameters."""

import keras
from keras import ops


class CenteredLayer(keras.layers.Layer):
    def call(self, X):
        return X - ops.mean(X)
