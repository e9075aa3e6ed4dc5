"""d2l §6.1: a module that nests a Sequential."""

from flax import linen as nn


class NestMLP(nn.Module):
    def setup(self):
        self.net = nn.Sequential([nn.Dense(64), nn.relu,
                                  nn.Dense(32), nn.relu])
        self.linear = nn.Dense(16)

    def __call__(self, X):
        return self.linear(self.net(X))
