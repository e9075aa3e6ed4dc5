"""d2l §9.6: the RNN with high-level APIs (time-major: (steps, batch, inputs))."""

from mxnet.gluon import nn, rnn


class RNN(nn.Block):
    def __init__(self, num_inputs, num_hiddens):  # Gluon infers num_inputs
        super().__init__()
        # Gluon's rnn.RNN defaults to activation='relu'
        self.rnn = rnn.RNN(num_hiddens, activation='tanh')

    def forward(self, inputs, H):
        outputs, (H,) = self.rnn(inputs, [H])
        return outputs, H


class RNNReluDefault(RNN):
    """As the book's MXNet edition writes it: Gluon's relu default."""

    def __init__(self, num_inputs, num_hiddens):
        super().__init__(num_inputs, num_hiddens)
        self.rnn = rnn.RNN(num_hiddens)
