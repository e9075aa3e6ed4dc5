"""d2l §11.3: additive attention."""

import jax.numpy as jnp
from flax import nnx

from .masked_softmax import masked_softmax


class AdditiveAttention(nnx.Module):
    # NNX needs every input size: queries of 20 features, keys of 2
    def __init__(self, num_hiddens, dropout, query_size=20, key_size=2, *,
                 rngs: nnx.Rngs):
        self.W_k = nnx.Linear(key_size, num_hiddens, use_bias=False, rngs=rngs)
        self.W_q = nnx.Linear(query_size, num_hiddens, use_bias=False, rngs=rngs)
        self.w_v = nnx.Linear(num_hiddens, 1, use_bias=False, rngs=rngs)
        self.drop = nnx.Dropout(dropout, rngs=rngs)

    def __call__(self, queries, keys, values, valid_lens):
        queries, keys = self.W_q(queries), self.W_k(keys)
        # (batch, queries, 1, hiddens) + (batch, 1, keys, hiddens), broadcast
        features = jnp.tanh(jnp.expand_dims(queries, 2) + jnp.expand_dims(keys, 1))
        scores = self.w_v(features).squeeze(-1)  # (batch, queries, keys)
        attention_weights = masked_softmax(scores, valid_lens)
        return self.drop(attention_weights) @ values
