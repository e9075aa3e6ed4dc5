from flax import linen as nn


class SoftplusMLP(nn.Module):
    @nn.compact
    def __call__(self, x):
        return nn.Dense(4, name="out")(nn.softplus(nn.Dense(8, name="hidden")(x)))
