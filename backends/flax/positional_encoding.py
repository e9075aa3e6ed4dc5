"""d2l §11.6: sinusoidal positional encoding."""

import jax.numpy as jnp
from flax import linen as nn


class PositionalEncoding(nn.Module):
    num_hiddens: int
    dropout: float
    max_len: int = 1000

    def setup(self):
        # Create a long enough P (jax's default float: the book's
        # dtype=jnp.float32 would round it to float32 in a float64 model)
        self.P = jnp.zeros((1, self.max_len, self.num_hiddens))
        X = jnp.arange(self.max_len).reshape(-1, 1) / jnp.power(
            10000, jnp.arange(0, self.num_hiddens, 2) / self.num_hiddens)
        self.P = self.P.at[:, :, 0::2].set(jnp.sin(X))
        self.P = self.P.at[:, :, 1::2].set(jnp.cos(X))
        self.drop = nn.Dropout(self.dropout)

    def __call__(self, X, training=False):
        X = X + self.P[:, :X.shape[1], :].astype(X.dtype)
        return self.drop(X, deterministic=not training)
