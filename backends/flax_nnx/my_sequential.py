"""d2l §6.1: a Sequential container written by hand."""

from flax import nnx


class MySequential(nnx.Module):
    def __init__(self, *layers):
        # a plain list of modules is not allowed: nnx.List
        self.layers = nnx.List(layers)

    def __call__(self, X):
        for layer in self.layers:
            X = layer(X)
        return X


def my_sequential(in_features, *, rngs: nnx.Rngs):
    return MySequential(nnx.Linear(in_features, 256, rngs=rngs), nnx.relu,
                        nnx.Linear(256, 10, rngs=rngs))
