"""d2l §10.4: the bidirectional GRU with high-level APIs."""

from torch import nn


class BiGRU(nn.Module):
    def __init__(self, num_inputs, num_hiddens):
        super().__init__()
        self.rnn = nn.GRU(num_inputs, num_hiddens, bidirectional=True)

    def forward(self, inputs, H=None):
        # outputs: (steps, batch, 2 * num_hiddens), forward then backward;
        # H: (2, batch, num_hiddens), forward then backward
        return self.rnn(inputs, H)
