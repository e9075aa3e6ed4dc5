"""d2l §10.1: the LSTM with high-level APIs (time-major: (steps, batch, inputs))."""

from torch import nn


class LSTM(nn.Module):
    def __init__(self, num_inputs, num_hiddens):
        super().__init__()
        self.rnn = nn.LSTM(num_inputs, num_hiddens)

    def forward(self, inputs, H, C):
        # Returns outputs, (H, C): the hidden state first
        return self.rnn(inputs, (H, C))
