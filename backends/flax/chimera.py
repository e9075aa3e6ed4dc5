"""d2l §6.1: mixing and nesting modules freely."""

from flax import linen as nn

from .fixed_hidden_mlp import FixedHiddenMLP
from .nest_mlp import NestMLP


def chimera():
    return nn.Sequential([NestMLP(), nn.Dense(20), FixedHiddenMLP()])
