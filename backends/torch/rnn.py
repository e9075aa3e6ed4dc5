"""d2l §9.6: the RNN with high-level APIs (time-major: (steps, batch, inputs))."""

from torch import nn


class RNN(nn.Module):
    def __init__(self, num_inputs, num_hiddens):
        super().__init__()
        self.rnn = nn.RNN(num_inputs, num_hiddens)

    def forward(self, inputs, H=None):
        return self.rnn(inputs, H)
