"""d2l §6.1: a constant weight, a reused layer and Python control flow."""

import jax
import jax.numpy as jnp
from flax import linen as nn


class FixedHiddenMLP(nn.Module):
    def setup(self):
        # A variable outside the 'params' collection: no gradient, never
        # updated by the optimizer
        self.rand_weight = self.variable(
            'constants', 'rand_weight',
            lambda: jax.random.uniform(self.make_rng('params'), (20, 20)))
        self.linear = nn.Dense(20)

    def __call__(self, X):
        X = self.linear(X)
        X = nn.relu(X @ self.rand_weight.value + 1)
        # Reuse the dense layer: the two calls share parameters
        X = self.linear(X)
        # Control flow (it runs eagerly: this module cannot be jitted)
        while jnp.abs(X).sum() > 1:
            X /= 2
        return X.sum()
