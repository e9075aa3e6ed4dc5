"""d2l §6.4: lazy initialisation with nn.LazyLinear (shapes set by the first call)."""

from torch import nn


def LazyMLP():  # net[0].weight is an UninitializedParameter until net(X)
    return nn.Sequential(nn.LazyLinear(256), nn.ReLU(), nn.LazyLinear(10))
