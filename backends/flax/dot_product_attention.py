"""d2l §11.3: scaled dot-product attention."""

import math

from flax import linen as nn

from .masked_softmax import masked_softmax


class DotProductAttention(nn.Module):
    dropout: float

    # Shape of queries: (batch_size, no. of queries, d)
    # Shape of keys: (batch_size, no. of key-value pairs, d)
    # Shape of values: (batch_size, no. of key-value pairs, value dimension)
    # Shape of valid_lens: (batch_size,) or (batch_size, no. of queries)
    @nn.compact
    def __call__(self, queries, keys, values, valid_lens=None,
                 training=False):
        d = queries.shape[-1]
        # Swap the last two dimensions of keys with keys.swapaxes(1, 2)
        scores = queries @ keys.swapaxes(1, 2) / math.sqrt(d)
        attention_weights = masked_softmax(scores, valid_lens)
        # Kept in the 'intermediates' collection (the book returns them)
        self.sow('intermediates', 'attention_weights', attention_weights)
        dropout_layer = nn.Dropout(self.dropout, deterministic=not training)
        return dropout_layer(attention_weights) @ values
