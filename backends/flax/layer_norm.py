"""d2l §8.5: layer normalisation, the built-in layer."""

from flax import linen as nn


def layer_norm():
    return nn.LayerNorm(epsilon=1e-5, use_fast_variance=False)


def layer_norm_default_eps():
    """flax's own defaults: epsilon 1e-6, and the fast (E[x²] - E[x]²) variance."""
    return nn.LayerNorm()
