"""d2l §6.1: a Sequential container written by hand."""

from flax import linen as nn


class MySequential(nn.Module):
    modules: list  # submodules are named modules_0, modules_1, ...

    def __call__(self, X):
        for module in self.modules:
            X = module(X)
        return X


def my_sequential():
    return MySequential([nn.Dense(256), nn.relu, nn.Dense(10)])
