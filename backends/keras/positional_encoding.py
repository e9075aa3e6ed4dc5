"""d2l §11.6: sinusoidal positional encoding."""

import keras
import numpy as np
from keras import ops


class PositionalEncoding(keras.layers.Layer):
    def __init__(self, num_hiddens, dropout, max_len=1000):
        super().__init__()
        self.dropout = keras.layers.Dropout(dropout)
        # Create a long enough P (in float64, NumPy's default: the book's
        # dtype=np.float32 would round it to float32 in a float64 model)
        self.P = np.zeros((1, max_len, num_hiddens))
        X = np.arange(max_len).reshape(-1, 1) / np.power(
            10000, np.arange(0, num_hiddens, 2) / num_hiddens)
        self.P[:, :, 0::2] = np.sin(X)
        self.P[:, :, 1::2] = np.cos(X)

    def call(self, X):
        X = X + ops.cast(self.P[:, :X.shape[1], :], X.dtype)
        return self.dropout(X)
