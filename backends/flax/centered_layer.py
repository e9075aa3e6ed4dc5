"""d2l §6.5: a custom layer without parameters."""

from flax import linen as nn


class CenteredLayer(nn.Module):
    def __call__(self, X):
        return X - X.mean()
