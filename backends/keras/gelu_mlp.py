"""An MLP with the exact GELU activation."""

import keras
from keras import ops


class GeluMLP(keras.Model):
    def __init__(self):
        super().__init__()
        self.hidden = keras.layers.Dense(64)
        self.act = keras.layers.Activation('gelu')  # exact: x * Phi(x)
        self.out = keras.layers.Dense(10)

    def call(self, X):
        return self.out(self.act(self.hidden(X)))


class GeluMLPTanh(GeluMLP):
    """keras.ops.gelu left at its default: the tanh approximation."""

    def call(self, X):
        return self.out(ops.gelu(self.hidden(X)))
