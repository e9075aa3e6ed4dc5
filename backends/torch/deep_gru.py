"""d2l §10.3: the multilayer GRU: each layer reads the outputs of the one below."""

from torch import nn


class GRU(nn.Module):
    def __init__(self, num_inputs, num_hiddens, num_layers, dropout=0):
        super().__init__()
        self.rnn = nn.GRU(num_inputs, num_hiddens, num_layers,
                          dropout=dropout)

    def forward(self, inputs, H=None):
        # H: (num_layers, batch, num_hiddens)
        return self.rnn(inputs, H)
