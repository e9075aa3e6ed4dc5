"""An MLP with the exact GELU activation."""

from flax import linen as nn


class GeluMLP(nn.Module):
    def setup(self):
        self.hidden = nn.Dense(64)
        self.out = nn.Dense(10)

    def __call__(self, X):
        # nn.gelu defaults to the tanh approximation: ask for the exact form
        return self.out(nn.gelu(self.hidden(X), approximate=False))


class GeluMLPTanh(GeluMLP):
    """nn.gelu left at its default: the tanh approximation."""

    def __call__(self, X):
        return self.out(nn.gelu(self.hidden(X)))
