"""d2l §11.3: scaled dot-product attention."""

import math

from flax import nnx

from .masked_softmax import masked_softmax


class DotProductAttention(nnx.Module):
    def __init__(self, dropout, *, rngs: nnx.Rngs):
        self.dropout = nnx.Dropout(dropout, rngs=rngs)

    # Shape of queries: (batch_size, no. of queries, d)
    # Shape of keys: (batch_size, no. of key-value pairs, d)
    # Shape of values: (batch_size, no. of key-value pairs, value dimension)
    # Shape of valid_lens: (batch_size,) or (batch_size, no. of queries)
    def __call__(self, queries, keys, values, valid_lens=None):
        d = queries.shape[-1]
        scores = queries @ keys.swapaxes(1, 2) / math.sqrt(d)
        attention_weights = masked_softmax(scores, valid_lens)
        return self.dropout(attention_weights) @ values
