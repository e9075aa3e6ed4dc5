"""d2l §6.1: an MLP as a custom model."""

import keras


class MLP(keras.Model):
    def __init__(self):
        super().__init__()
        self.hidden = keras.layers.Dense(256, activation='relu')  # hidden layer
        self.out = keras.layers.Dense(10)  # output layer

    def call(self, X):
        return self.out(self.hidden(X))
