"""d2l §6.1: mixing and nesting models freely."""

import keras

from .fixed_hidden_mlp import FixedHiddenMLP
from .nest_mlp import NestMLP


def chimera():
    return keras.Sequential([NestMLP(), keras.layers.Dense(20), FixedHiddenMLP()])
