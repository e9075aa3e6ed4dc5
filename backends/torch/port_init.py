"""d2l §6.3: the §6.1 MLP with nn.Linear's own (default) initialisation."""

from torch import nn


class TorchInitMLP(nn.Module):
    def __init__(self):
        super().__init__()
        self.hidden = nn.Linear(20, 256)  # U(±1/sqrt(fan_in)), weight and bias
        self.out = nn.Linear(256, 10)

    def forward(self, X):
        return self.out(self.hidden(X).relu())
