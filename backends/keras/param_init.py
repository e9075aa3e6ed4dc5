"""d2l §6.3: parameter initialisation, initialisers passed to each Dense."""

import keras
from keras import initializers


def net(kernel=(None, None), bias=(None, None)):
    def dense(units, k, b, **kwargs):
        given = {n: v for n, v in (("kernel_initializer", k), ("bias_initializer", b))
                 if v}
        return keras.layers.Dense(units, **given, **kwargs)

    return keras.Sequential([dense(8, kernel[0], bias[0], activation='relu'),
                             dense(1, kernel[1], bias[1])])


def NormalNet():
    normal = initializers.RandomNormal(mean=0, stddev=0.01)
    return net((normal, normal), (initializers.Zeros(), initializers.Zeros()))


def ConstantNet():
    return net((initializers.Constant(1), initializers.Constant(1)),
               (initializers.Zeros(), initializers.Zeros()))


def XavierAnd42Net():
    return net((initializers.GlorotUniform(), initializers.Constant(42)))


class MyInit(initializers.Initializer):
    def __call__(self, shape, dtype=None):
        data = keras.random.uniform(shape, -10, 10, dtype=dtype)
        factor = keras.ops.cast(keras.ops.abs(data) >= 5, data.dtype)
        return data * factor


def CustomInitNet():
    return net((MyInit(), MyInit()))


class XavierMLP(keras.Model):  # the §6.1 MLP with init_weights
    def __init__(self):
        super().__init__()
        self.hidden = keras.layers.Dense(256, activation='relu',
                                         kernel_initializer='glorot_uniform',
                                         bias_initializer='zeros')
        self.out = keras.layers.Dense(10, kernel_initializer='glorot_uniform',
                                      bias_initializer='zeros')

    def call(self, X):
        return self.out(self.hidden(X))
