"""d2l §10.1: the LSTM with high-level APIs (batch-major: (batch, steps, inputs))."""

from flax import nnx


class LSTM(nnx.Module):
    def __init__(self, num_inputs, num_hiddens, *, rngs: nnx.Rngs):
        # one Linear per gate and side (ii, if_, ig, io / hi, hf, hg, ho):
        # the bias is on the h side
        self.rnn = nnx.RNN(nnx.LSTMCell(num_inputs, num_hiddens, rngs=rngs),
                           return_carry=True)

    def __call__(self, inputs, H, C):
        # nnx's LSTM carry is (C, H): the cell state first
        (C, H), outputs = self.rnn(inputs, initial_carry=(C, H))
        return outputs, H, C


class LSTMCarryAsHC(LSTM):
    """The carry built and read in PyTorch's (H, C) order."""

    def __call__(self, inputs, H, C):
        (H, C), outputs = self.rnn(inputs, initial_carry=(H, C))
        return outputs, H, C
