"""d2l §6.1: a model that nests a Sequential."""

import keras


class NestMLP(keras.Model):
    def __init__(self):
        super().__init__()
        self.net = keras.Sequential([keras.layers.Dense(64, activation='relu'),
                                     keras.layers.Dense(32, activation='relu')])
        self.linear = keras.layers.Dense(16)

    def call(self, X):
        return self.linear(self.net(X))
