"""d2l §6.4: lazy initialisation: a Dense without input shape builds on first call."""

import keras


def LazyMLP():  # net.get_weights() is [] until net(X)
    return keras.Sequential([keras.layers.Dense(256, activation='relu'),
                             keras.layers.Dense(10)])
