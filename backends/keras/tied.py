"""d2l §6.2: tied parameters, a shared layer used twice."""

import keras


def SharedNet():
    shared = keras.layers.Dense(8, activation='relu')
    return keras.Sequential([keras.layers.Dense(8, activation='relu'), shared, shared,
                             keras.layers.Dense(1)])


def TwoCopiesNet():  # the trap: two layers (the adapter loads them equal)
    return keras.Sequential([keras.layers.Dense(8, activation='relu'),
                             keras.layers.Dense(8, activation='relu'),
                             keras.layers.Dense(8, activation='relu'),
                             keras.layers.Dense(1)])
