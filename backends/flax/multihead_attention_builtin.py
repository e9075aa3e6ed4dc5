"""d2l §11.5 with flax's own layer: nn.MultiHeadDotProductAttention."""

import jax.numpy as jnp
from flax import linen as nn


class BuiltinMultiHeadAttention(nn.Module):
    num_hiddens: int
    num_heads: int
    bias: bool = True

    def setup(self):
        self.attention = nn.MultiHeadDotProductAttention(
            num_heads=self.num_heads, qkv_features=self.num_hiddens,
            use_bias=self.bias)

    def __call__(self, queries, keys, values, valid_lens):
        # mask: True marks a key to *attend to*; (batch, heads, queries, keys)
        mask = jnp.arange(keys.shape[1]) < valid_lens[:, None]
        mask = jnp.broadcast_to(mask[:, None, None, :], (
            queries.shape[0], 1, queries.shape[1], keys.shape[1]))
        return self.attention(queries, keys, values, mask=mask)
