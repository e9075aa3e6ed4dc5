"""d2l §10.2: the GRU with high-level APIs (time-major: (steps, batch, inputs))."""

from mxnet.gluon import nn, rnn


class GRU(nn.Block):
    def __init__(self, num_inputs, num_hiddens):  # Gluon infers num_inputs
        super().__init__()
        self.rnn = rnn.GRU(num_hiddens)

    def forward(self, inputs, H):
        outputs, (H,) = self.rnn(inputs, [H])
        return outputs, H
