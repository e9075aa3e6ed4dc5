"""d2l §6.4: lazy initialisation: flax makes parameters in init, from a sample input."""

from flax import linen as nn


def LazyMLP():  # params = net.init(key, X)['params']: no parameters before init
    return nn.Sequential([nn.Dense(256), nn.relu, nn.Dense(10)])
