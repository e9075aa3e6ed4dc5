"""d2l §10.3: the multilayer GRU: each layer reads the outputs of the one below."""

from mxnet.gluon import nn, rnn


class GRU(nn.Block):
    def __init__(self, num_inputs, num_hiddens, num_layers, dropout=0):
        super().__init__()  # Gluon infers num_inputs
        self.rnn = rnn.GRU(num_hiddens, num_layers, dropout=dropout)

    def forward(self, inputs, H=None):
        if H is None:  # called without a state, Gluon returns only the outputs
            H = self.rnn.begin_state(inputs.shape[1], dtype=inputs.dtype)[0]
        # H: (num_layers, batch, num_hiddens)
        outputs, (H,) = self.rnn(inputs, [H])
        return outputs, H
