"""d2l §6.1: a constant weight, a reused layer and Python control flow."""

import jax
import jax.numpy as jnp
from flax import nnx


class FixedHiddenMLP(nnx.Module):
    def __init__(self, *, rngs: nnx.Rngs):
        # An nnx.Variable, not an nnx.Param: no gradient, no update by the optimizer
        self.rand_weight = nnx.Variable(jax.random.uniform(rngs.params(), (20, 20)))
        self.linear = nnx.Linear(20, 20, rngs=rngs)

    def __call__(self, X):
        X = self.linear(X)
        X = nnx.relu(X @ self.rand_weight[...] + 1)
        # Reuse the linear layer: the two calls share parameters
        X = self.linear(X)
        # Control flow (it runs eagerly: this module cannot be jitted)
        while jnp.abs(X).sum() > 1:
            X /= 2
        return X.sum()
