from flax import linen as nn


class TanhMLP(nn.Module):
    @nn.compact
    def __call__(self, x):
        return nn.Dense(4, name="out")(nn.tanh(nn.Dense(8, name="hidden")(x)))
