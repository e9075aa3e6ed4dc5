"""d2l §6.2: tied parameters, a shared layer used twice."""

from torch import nn


def SharedNet():
    shared = nn.LazyLinear(8)
    return nn.Sequential(nn.LazyLinear(8), nn.ReLU(), shared, nn.ReLU(), shared,
                         nn.ReLU(), nn.LazyLinear(1))


def TwoCopiesNet():  # the trap: two layers made equal, not one layer
    net = nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 8), nn.ReLU(),
                        nn.Linear(8, 8), nn.ReLU(), nn.Linear(8, 1))
    net[4].load_state_dict(net[2].state_dict())
    return net
