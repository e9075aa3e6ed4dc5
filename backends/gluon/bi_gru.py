"""d2l §10.4: the bidirectional GRU with high-level APIs."""

from mxnet.gluon import nn, rnn


class BiGRU(nn.Block):
    def __init__(self, num_inputs, num_hiddens):  # Gluon infers num_inputs
        super().__init__()
        self.rnn = rnn.GRU(num_hiddens, bidirectional=True)

    def forward(self, inputs, H):
        # outputs: (steps, batch, 2 * num_hiddens), forward then backward;
        # H: (2, batch, num_hiddens), forward then backward
        outputs, (H,) = self.rnn(inputs, [H])
        return outputs, H
