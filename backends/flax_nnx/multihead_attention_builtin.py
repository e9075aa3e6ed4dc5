"""d2l §11.5 with NNX's own layer: nnx.MultiHeadAttention."""

import jax.numpy as jnp
from flax import nnx


class BuiltinMultiHeadAttention(nnx.Module):
    def __init__(self, num_hiddens, num_heads, bias=True, *, rngs: nnx.Rngs):
        # in_features is required (linen's layer reads it from the inputs)
        self.attention = nnx.MultiHeadAttention(
            num_heads=num_heads, in_features=num_hiddens, qkv_features=num_hiddens,
            use_bias=bias, decode=False, rngs=rngs)

    def __call__(self, queries, keys, values, valid_lens):
        # mask: True marks a key to *attend to*; (batch, heads, queries, keys)
        mask = jnp.arange(keys.shape[1]) < valid_lens[:, None]
        mask = jnp.broadcast_to(mask[:, None, None, :], (
            queries.shape[0], 1, queries.shape[1], keys.shape[1]))
        return self.attention(queries, keys, values, mask=mask)
