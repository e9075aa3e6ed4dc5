"""d2l §9.6: the RNN with high-level APIs (batch-major: (batch, steps, inputs))."""

from flax import linen as nn


class RNN(nn.Module):
    num_inputs: int  # flax infers it from the inputs
    num_hiddens: int

    def setup(self):
        self.rnn = nn.RNN(nn.SimpleCell(self.num_hiddens), return_carry=True)

    def __call__(self, inputs, H=None):
        H, outputs = self.rnn(inputs, initial_carry=H)
        return outputs, H
