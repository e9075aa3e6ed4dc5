"""d2l §6.5: a custom layer without parameters."""

from flax import nnx


class CenteredLayer(nnx.Module):
    def __call__(self, X):
        return X - X.mean()
