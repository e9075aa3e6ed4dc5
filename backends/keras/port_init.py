"""d2l §6.3: the §6.1 MLP with PyTorch's initialisation, and two ports that lose it."""

import math

import keras


class TorchUniform(keras.initializers.Initializer):
    """PyTorch's Linear default, U(±1/sqrt(fan_in)), on a Keras kernel (in, out)."""

    def __init__(self, fan_in=None, axis=0):
        self.fan_in, self.axis = fan_in, axis

    def __call__(self, shape, dtype=None):
        bound = 1 / math.sqrt(self.fan_in or shape[self.axis])
        return keras.initializers.RandomUniform(-bound, bound)(shape, dtype=dtype)


class TorchInitMLP(keras.Model):
    def __init__(self, axis=0):  # axis: where the kernel keeps its inputs
        super().__init__()
        self.hidden = keras.layers.Dense(256, activation='relu',
                                         kernel_initializer=TorchUniform(axis=axis),
                                         bias_initializer=TorchUniform(20))
        self.out = keras.layers.Dense(10, kernel_initializer=TorchUniform(axis=axis),
                                      bias_initializer=TorchUniform(256))

    def call(self, X):
        return self.out(self.hidden(X))


def FanSwappedMLP():  # the trap: fan_in = shape[1], PyTorch's axis on a Keras kernel
    return TorchInitMLP(axis=1)


class DefaultsMLP(keras.Model):  # the trap: Keras's defaults (glorot_uniform, zeros)
    def __init__(self):
        super().__init__()
        self.hidden = keras.layers.Dense(256, activation='relu')
        self.out = keras.layers.Dense(10)

    def call(self, X):
        return self.out(self.hidden(X))
