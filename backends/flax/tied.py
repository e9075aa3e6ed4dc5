"""d2l §6.2: tied parameters, a shared layer used twice."""

from flax import linen as nn


def SharedNet():
    shared = nn.Dense(8)
    return nn.Sequential([nn.Dense(8), nn.relu, shared, nn.relu, shared, nn.relu,
                          nn.Dense(1)])


def TwoCopiesNet():  # the trap: two layers (the adapter loads them equal)
    return nn.Sequential([nn.Dense(8), nn.relu, nn.Dense(8), nn.relu, nn.Dense(8),
                          nn.relu, nn.Dense(1)])
