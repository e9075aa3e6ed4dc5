"""d2l §8.5: layer normalisation, the built-in layer."""

from flax import nnx


def layer_norm(*, rngs: nnx.Rngs):
    return nnx.LayerNorm(16, epsilon=1e-5, use_fast_variance=False, rngs=rngs)


def layer_norm_default_eps(*, rngs: nnx.Rngs):
    """nnx's own defaults (linen's too): epsilon 1e-6, fast (E[x²] - E[x]²) variance."""
    return nnx.LayerNorm(16, rngs=rngs)
