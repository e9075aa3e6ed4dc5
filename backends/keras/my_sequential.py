"""d2l §6.1: a Sequential container written by hand."""

import keras


class MySequential(keras.Model):
    def __init__(self, *args):
        super().__init__()
        self.modules = args  # Keras tracks the layers held in a tuple

    def call(self, X):
        for module in self.modules:
            X = module(X)
        return X


def my_sequential():
    return MySequential(keras.layers.Dense(256, activation='relu'),
                        keras.layers.Dense(10))
