"""d2l §10.1: the LSTM with high-level APIs (batch-major: (batch, steps, inputs))."""

from flax import linen as nn


class LSTM(nn.Module):
    num_inputs: int  # flax infers it from the inputs
    num_hiddens: int

    def setup(self):
        self.rnn = nn.RNN(nn.OptimizedLSTMCell(self.num_hiddens),
                          return_carry=True)

    def __call__(self, inputs, H, C):
        # flax's LSTM carry is (C, H): the cell state first
        (C, H), outputs = self.rnn(inputs, initial_carry=(C, H))
        return outputs, H, C


class LSTMCarryAsHC(LSTM):
    """The carry built and read in PyTorch's (H, C) order."""

    def __call__(self, inputs, H, C):
        (H, C), outputs = self.rnn(inputs, initial_carry=(H, C))
        return outputs, H, C
