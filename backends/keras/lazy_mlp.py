"""d2l §6.4: lazy initialisation: Dense layers without an input shape build on the first call."""

import keras


def LazyMLP():  # net.get_weights() is [] until net(X)
    return keras.Sequential([keras.layers.Dense(256, activation='relu'),
                             keras.layers.Dense(10)])
