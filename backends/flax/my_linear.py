"""d2l §6.5: a fully connected layer from raw parameters."""

import jax
import jax.numpy as jnp
from flax import linen as nn


class MyLinear(nn.Module):
    in_units: int
    units: int

    def setup(self):
        self.weight = self.param('weight', nn.initializers.normal(stddev=1),
                                 (self.in_units, self.units))
        self.bias = self.param('bias', nn.initializers.normal(stddev=1),
                               (self.units,))

    def __call__(self, X):
        linear = jnp.matmul(X, self.weight) + self.bias
        return nn.relu(linear)


class MyLinearDataAttr(MyLinear):
    """The book's PyTorch ``.data`` mistake in JAX: values without gradient."""

    def __call__(self, X):
        weight = jax.lax.stop_gradient(self.weight)
        bias = jax.lax.stop_gradient(self.bias)
        return nn.relu(jnp.matmul(X, weight) + bias)
