"""d2l §11.7: residual connection followed by layer normalization."""

from flax import linen as nn


class AddNorm(nn.Module):
    norm_shape: int  # flax normalizes the last axis, whatever its size
    dropout: float

    def setup(self):
        self.drop = nn.Dropout(self.dropout)
        # flax's default epsilon is 1e-6; PyTorch's 1e-5
        self.ln = nn.LayerNorm(epsilon=1e-5, use_fast_variance=False)

    def __call__(self, X, Y, training=False):
        return self.ln(self.drop(Y, deterministic=not training) + X)


class AddNormDefaultEpsilon(AddNorm):
    """As the book's JAX edition: flax's default LayerNorm (epsilon 1e-6)."""

    def setup(self):
        self.drop = nn.Dropout(self.dropout)
        self.ln = nn.LayerNorm()
