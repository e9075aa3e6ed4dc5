"""d2l §10.1: the LSTM with high-level APIs (time-major: (steps, batch, inputs))."""

from mxnet.gluon import nn, rnn


class LSTM(nn.Block):
    def __init__(self, num_inputs, num_hiddens):  # Gluon infers num_inputs
        super().__init__()
        self.rnn = rnn.LSTM(num_hiddens)

    def forward(self, inputs, H, C):
        outputs, (H, C) = self.rnn(inputs, [H, C])
        return outputs, H, C
