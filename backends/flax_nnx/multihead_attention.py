"""d2l §11.5: multi-head attention, heads as contiguous blocks of features."""

import jax.numpy as jnp
from flax import nnx

from .dot_product_attention import DotProductAttention


class MultiHeadAttention(nnx.Module):
    # queries, keys, values of num_hiddens features (the book's LazyLinear reads them)
    def __init__(self, num_hiddens, num_heads, dropout, bias=False, *, rngs: nnx.Rngs):
        self.num_heads = num_heads
        self.attention = DotProductAttention(dropout, rngs=rngs)
        self.W_q = nnx.Linear(num_hiddens, num_hiddens, use_bias=bias, rngs=rngs)
        self.W_k = nnx.Linear(num_hiddens, num_hiddens, use_bias=bias, rngs=rngs)
        self.W_v = nnx.Linear(num_hiddens, num_hiddens, use_bias=bias, rngs=rngs)
        self.W_o = nnx.Linear(num_hiddens, num_hiddens, use_bias=bias, rngs=rngs)

    def __call__(self, queries, keys, values, valid_lens=None):
        # After transposing, shape of queries, keys, or values: (batch_size *
        # num_heads, no. of queries or key-value pairs, num_hiddens / num_heads)
        queries = self.transpose_qkv(self.W_q(queries))
        keys = self.transpose_qkv(self.W_k(keys))
        values = self.transpose_qkv(self.W_v(values))
        if valid_lens is not None:
            # Copy the first item num_heads times, then the next, and so on
            valid_lens = jnp.repeat(valid_lens, self.num_heads, axis=0)
        output = self.attention(queries, keys, values, valid_lens)
        # Shape of output_concat: (batch_size, no. of queries, num_hiddens)
        return self.W_o(self.transpose_output(output))

    def transpose_qkv(self, X):
        """Transposition for parallel computation of multiple attention heads."""
        X = X.reshape((X.shape[0], X.shape[1], self.num_heads, -1))
        X = jnp.transpose(X, (0, 2, 1, 3))
        return X.reshape((-1, X.shape[2], X.shape[3]))

    def transpose_output(self, X):
        """Reverse the operation of transpose_qkv."""
        X = X.reshape((-1, self.num_heads, X.shape[1], X.shape[2]))
        X = jnp.transpose(X, (0, 2, 1, 3))
        return X.reshape((X.shape[0], X.shape[1], -1))
