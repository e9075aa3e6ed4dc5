"""d2l §11.3: additive attention."""

import jax.numpy as jnp
from flax import linen as nn

from .masked_softmax import masked_softmax


class AdditiveAttention(nn.Module):
    num_hiddens: int
    dropout: float

    def setup(self):
        self.W_k = nn.Dense(self.num_hiddens, use_bias=False)
        self.W_q = nn.Dense(self.num_hiddens, use_bias=False)
        self.w_v = nn.Dense(1, use_bias=False)
        self.drop = nn.Dropout(self.dropout)

    def __call__(self, queries, keys, values, valid_lens, training=False):
        queries, keys = self.W_q(queries), self.W_k(keys)
        # After dimension expansion, shape of queries: (batch_size, no. of
        # queries, 1, num_hiddens) and shape of keys: (batch_size, 1, no. of
        # key-value pairs, num_hiddens). Sum them up with broadcasting
        features = jnp.expand_dims(queries, 2) + jnp.expand_dims(keys, 1)
        features = nn.tanh(features)
        # Shape of scores: (batch_size, no. of queries, no. of key-value pairs)
        scores = self.w_v(features).squeeze(-1)
        attention_weights = masked_softmax(scores, valid_lens)
        self.sow('intermediates', 'attention_weights', attention_weights)
        return self.drop(attention_weights, deterministic=not training) @ values
