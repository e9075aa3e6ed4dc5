"""d2l §6.1: a module that nests a Sequential."""

from flax import nnx


class NestMLP(nnx.Module):
    def __init__(self, in_features, *, rngs: nnx.Rngs):
        self.net = nnx.Sequential(nnx.Linear(in_features, 64, rngs=rngs), nnx.relu,
                                  nnx.Linear(64, 32, rngs=rngs), nnx.relu)
        self.linear = nnx.Linear(32, 16, rngs=rngs)

    def __call__(self, X):
        return self.linear(self.net(X))
