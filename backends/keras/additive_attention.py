"""d2l §11.3: additive attention."""

import keras
from keras import ops

from .masked_softmax import masked_softmax


class AdditiveAttention(keras.layers.Layer):
    def __init__(self, num_hiddens, dropout):  # Keras infers key/query sizes
        super().__init__()
        self.W_k = keras.layers.Dense(num_hiddens, use_bias=False)
        self.W_q = keras.layers.Dense(num_hiddens, use_bias=False)
        self.w_v = keras.layers.Dense(1, use_bias=False)
        self.dropout = keras.layers.Dropout(dropout)

    def call(self, queries, keys, values, valid_lens):
        queries, keys = self.W_q(queries), self.W_k(keys)
        # After dimension expansion, shape of queries: (batch_size, no. of
        # queries, 1, num_hiddens) and shape of keys: (batch_size, 1, no. of
        # key-value pairs, num_hiddens). Sum them up with broadcasting
        features = ops.expand_dims(queries, 2) + ops.expand_dims(keys, 1)
        features = ops.tanh(features)
        # Shape of scores: (batch_size, no. of queries, no. of key-value pairs)
        scores = ops.squeeze(self.w_v(features), axis=-1)
        self.attention_weights = masked_softmax(scores, valid_lens)
        return ops.matmul(self.dropout(self.attention_weights), values)
