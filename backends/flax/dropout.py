"""d2l §5.6: dropout, the built-in layer and the concise DropoutMLP."""

from flax import linen as nn


def dropout(training=True):
    return nn.Dropout(0.3, deterministic=not training)


class DropoutMLP(nn.Module):
    num_outputs: int
    num_hiddens_1: int
    num_hiddens_2: int
    dropout_1: float
    dropout_2: float
    training: bool = True

    def setup(self):
        self.net = nn.Sequential([
            lambda X: X.reshape((X.shape[0], -1)), nn.Dense(self.num_hiddens_1),
            nn.relu, nn.Dropout(self.dropout_1, deterministic=not self.training),
            nn.Dense(self.num_hiddens_2), nn.relu,
            nn.Dropout(self.dropout_2, deterministic=not self.training),
            nn.Dense(self.num_outputs)])

    def __call__(self, X):
        return self.net(X)
