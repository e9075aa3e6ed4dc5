"""An MLP with the exact GELU activation."""

from flax import nnx


class GeluMLP(nnx.Module):
    def __init__(self, in_features, *, rngs: nnx.Rngs):
        self.hidden = nnx.Linear(in_features, 64, rngs=rngs)
        self.out = nnx.Linear(64, 10, rngs=rngs)

    def __call__(self, X):
        # nnx.gelu defaults to the tanh approximation: ask for the exact form
        return self.out(nnx.gelu(self.hidden(X), approximate=False))


class GeluMLPTanh(GeluMLP):
    """nnx.gelu left at its default: the tanh approximation."""

    def __call__(self, X):
        return self.out(nnx.gelu(self.hidden(X)))
