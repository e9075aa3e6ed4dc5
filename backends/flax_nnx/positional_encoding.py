"""d2l §11.6: sinusoidal positional encoding."""

import jax.numpy as jnp
from flax import nnx


class PositionalEncoding(nnx.Module):
    def __init__(self, num_hiddens, dropout, max_len=1000, *, rngs: nnx.Rngs):
        self.drop = nnx.Dropout(dropout, rngs=rngs)
        # A long enough P, an array attribute: no Variable, nothing to train or update
        X = jnp.arange(max_len).reshape(-1, 1) / jnp.power(
            10000, jnp.arange(0, num_hiddens, 2) / num_hiddens)
        P = jnp.zeros((1, max_len, num_hiddens))
        P = P.at[:, :, 0::2].set(jnp.sin(X))
        self.P = P.at[:, :, 1::2].set(jnp.cos(X))

    def __call__(self, X):
        X = X + self.P[:, :X.shape[1], :].astype(X.dtype)
        return self.drop(X)
