"""d2l §5.6: dropout, the built-in layer and the concise DropoutMLP."""

from flax import nnx


def dropout(*, rngs: nnx.Rngs):
    # masks drawn from rngs' 'dropout' stream (else its default)
    return nnx.Dropout(0.3, rngs=rngs)


class DropoutMLP(nnx.Module):
    def __init__(self, num_outputs, num_hiddens_1, num_hiddens_2, dropout_1, dropout_2,
                 in_features, *, rngs: nnx.Rngs):
        self.net = nnx.Sequential(
            lambda X: X.reshape((X.shape[0], -1)),
            nnx.Linear(in_features, num_hiddens_1, rngs=rngs),
            nnx.relu, nnx.Dropout(dropout_1, rngs=rngs),
            nnx.Linear(num_hiddens_1, num_hiddens_2, rngs=rngs), nnx.relu,
            nnx.Dropout(dropout_2, rngs=rngs),
            nnx.Linear(num_hiddens_2, num_outputs, rngs=rngs))

    def __call__(self, X):
        return self.net(X)
