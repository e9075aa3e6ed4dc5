"""d2l §11.5 with Keras's own layer: keras.layers.MultiHeadAttention."""

import keras
from keras import ops


class BuiltinMultiHeadAttention(keras.Model):
    def __init__(self, num_hiddens, num_heads, bias=True):
        super().__init__()
        self.attention = keras.layers.MultiHeadAttention(
            num_heads, key_dim=num_hiddens // num_heads, use_bias=bias)

    def call(self, queries, keys, values, valid_lens):
        # attention_mask: True marks a key to *attend to*; (batch, queries, keys)
        steps = ops.arange(keys.shape[1], dtype=valid_lens.dtype)
        mask = steps[None, None, :] < valid_lens[:, None, None]
        mask = ops.broadcast_to(mask, (queries.shape[0], queries.shape[1],
                                       keys.shape[1]))
        # Keras takes (query, value, key): value before key
        return self.attention(queries, values, keys, attention_mask=mask)
