"""d2l §6.1: mixing and nesting blocks freely."""

from mxnet.gluon import nn

from .fixed_hidden_mlp import FixedHiddenMLP
from .nest_mlp import NestMLP


def chimera():
    net = nn.Sequential()
    net.add(NestMLP(), nn.Dense(20), FixedHiddenMLP())
    return net
