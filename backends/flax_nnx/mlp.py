"""d2l §6.1: an MLP as a custom module."""

from flax import nnx


class MLP(nnx.Module):
    def __init__(self, in_features, *, rngs: nnx.Rngs):
        self.hidden = nnx.Linear(in_features, 256, rngs=rngs)  # hidden layer
        self.out = nnx.Linear(256, 10, rngs=rngs)  # output layer

    def __call__(self, X):
        return self.out(nnx.relu(self.hidden(X)))
