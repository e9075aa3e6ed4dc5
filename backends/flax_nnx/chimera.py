"""d2l §6.1: mixing and nesting modules freely."""

from flax import nnx

from .fixed_hidden_mlp import FixedHiddenMLP
from .nest_mlp import NestMLP


def chimera(in_features, *, rngs: nnx.Rngs):
    return nnx.Sequential(NestMLP(in_features, rngs=rngs),
                          nnx.Linear(16, 20, rngs=rngs),
                          FixedHiddenMLP(rngs=rngs))
