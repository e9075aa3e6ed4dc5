"""d2l §6.5: a fully connected layer from raw parameters."""

import jax
import jax.numpy as jnp
from flax import nnx


class MyLinear(nnx.Module):
    def __init__(self, in_units, units, *, rngs: nnx.Rngs):
        self.weight = nnx.Param(jax.random.normal(rngs.params(), (in_units, units)))
        self.bias = nnx.Param(jax.random.normal(rngs.params(), (units,)))

    def __call__(self, X):
        linear = jnp.matmul(X, self.weight[...]) + self.bias[...]
        return nnx.relu(linear)


class MyLinearDataAttr(MyLinear):
    """The book's PyTorch ``.data`` mistake in JAX: values without gradient."""

    def __call__(self, X):
        weight = jax.lax.stop_gradient(self.weight[...])
        bias = jax.lax.stop_gradient(self.bias[...])
        return nnx.relu(jnp.matmul(X, weight) + bias)
