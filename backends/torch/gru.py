"""d2l §10.2: the GRU with high-level APIs (time-major: (steps, batch, inputs))."""

from torch import nn


class GRU(nn.Module):
    def __init__(self, num_inputs, num_hiddens):
        super().__init__()
        self.rnn = nn.GRU(num_inputs, num_hiddens)

    def forward(self, inputs, H=None):
        return self.rnn(inputs, H)
