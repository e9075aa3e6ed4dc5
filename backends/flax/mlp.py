"""d2l §6.1: an MLP as a custom module."""

from flax import linen as nn


class MLP(nn.Module):
    def setup(self):
        self.hidden = nn.Dense(256)  # hidden layer
        self.out = nn.Dense(10)  # output layer

    def __call__(self, X):
        return self.out(nn.relu(self.hidden(X)))
