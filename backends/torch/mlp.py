"""d2l §6.1: an MLP as a custom module."""

import torch.nn.functional as F
from torch import nn


class MLP(nn.Module):
    def __init__(self):
        super().__init__()
        self.hidden = nn.LazyLinear(256)  # hidden layer
        self.out = nn.LazyLinear(10)  # output layer

    def forward(self, X):
        return self.out(F.relu(self.hidden(X)))
