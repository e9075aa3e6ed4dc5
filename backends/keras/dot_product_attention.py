"""d2l §11.3: scaled dot-product attention."""

import math

import keras
from keras import ops

from .masked_softmax import masked_softmax


class DotProductAttention(keras.layers.Layer):
    def __init__(self, dropout):
        super().__init__()
        self.dropout = keras.layers.Dropout(dropout)

    # Shape of queries: (batch_size, no. of queries, d)
    # Shape of keys: (batch_size, no. of key-value pairs, d)
    # Shape of values: (batch_size, no. of key-value pairs, value dimension)
    # Shape of valid_lens: (batch_size,) or (batch_size, no. of queries)
    def call(self, queries, keys, values, valid_lens=None):
        d = queries.shape[-1]
        scores = ops.matmul(queries, ops.swapaxes(keys, 1, 2)) / math.sqrt(d)
        self.attention_weights = masked_softmax(scores, valid_lens)
        return ops.matmul(self.dropout(self.attention_weights), values)


class DotProductAttentionUnscaled(DotProductAttention):
    """Without the 1 / sqrt(d) scale."""

    def call(self, queries, keys, values, valid_lens=None):
        scores = ops.matmul(queries, ops.swapaxes(keys, 1, 2))
        self.attention_weights = masked_softmax(scores, valid_lens)
        return ops.matmul(self.dropout(self.attention_weights), values)
