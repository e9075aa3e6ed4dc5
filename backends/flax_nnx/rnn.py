"""d2l §9.6: the RNN with high-level APIs (batch-major: (batch, steps, inputs))."""

from flax import nnx


class RNN(nnx.Module):
    def __init__(self, num_inputs, num_hiddens, *, rngs: nnx.Rngs):
        self.rnn = nnx.RNN(nnx.SimpleCell(num_inputs, num_hiddens, rngs=rngs), return_carry=True)

    def __call__(self, inputs, H=None):
        H, outputs = self.rnn(inputs, initial_carry=H)
        return outputs, H
