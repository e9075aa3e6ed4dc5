"""d2l §11.7: residual connection followed by layer normalization."""

from flax import nnx


class AddNorm(nnx.Module):
    def __init__(self, norm_shape, dropout, *, rngs: nnx.Rngs):
        self.drop = nnx.Dropout(dropout, rngs=rngs)
        # nnx's default epsilon is 1e-6 (as linen's); PyTorch's 1e-5
        self.ln = nnx.LayerNorm(norm_shape, epsilon=1e-5, use_fast_variance=False,
                                rngs=rngs)

    def __call__(self, X, Y):
        return self.ln(self.drop(Y) + X)


class AddNormDefaultEpsilon(AddNorm):
    """nnx.LayerNorm left at its defaults (epsilon 1e-6, the fast variance)."""

    def __init__(self, norm_shape, dropout, *, rngs: nnx.Rngs):
        self.drop = nnx.Dropout(dropout, rngs=rngs)
        self.ln = nnx.LayerNorm(norm_shape, rngs=rngs)
