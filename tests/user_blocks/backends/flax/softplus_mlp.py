import jax
from flax import linen as nn


class SoftplusMLP(nn.Module):
    @nn.compact
    def __call__(self, x):
        return nn.Dense(4, name="out")(nn.softplus(nn.Dense(8, name="hidden")(x)))


class SoftplusMLPDetached(nn.Module):
    @nn.compact
    def __call__(self, x):
        h = jax.lax.stop_gradient(nn.Dense(8, name="hidden")(x))
        return nn.Dense(4, name="out")(nn.softplus(h))
