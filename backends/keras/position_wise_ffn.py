"""d2l §11.7: the position-wise feed-forward network."""

import keras


class PositionWiseFFN(keras.layers.Layer):
    def __init__(self, ffn_num_hiddens, ffn_num_outputs):
        super().__init__()
        self.dense1 = keras.layers.Dense(ffn_num_hiddens)
        self.relu = keras.layers.ReLU()
        self.dense2 = keras.layers.Dense(ffn_num_outputs)

    def call(self, X):
        return self.dense2(self.relu(self.dense1(X)))
