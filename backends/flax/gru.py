"""d2l §10.2: the GRU with high-level APIs (batch-major: (batch, steps, inputs))."""

from functools import partial

from flax import linen as nn


class GRU(nn.Module):
    num_inputs: int  # flax infers it from the inputs
    num_hiddens: int

    def setup(self):
        self.rnn = nn.RNN(nn.GRUCell(self.num_hiddens), return_carry=True)

    def __call__(self, inputs, H=None):
        H, outputs = self.rnn(inputs, initial_carry=H)
        return outputs, H


class GRUCellResetBefore(nn.GRUCell):
    """The textbook formula: the reset gate scales h *before* the matmul."""

    @nn.compact
    def __call__(self, carry, inputs):
        h = carry
        dense_i = partial(nn.Dense, features=h.shape[-1], use_bias=True)
        dense_h = partial(nn.Dense, features=h.shape[-1], use_bias=False)
        r = nn.sigmoid(dense_i(name='ir')(inputs) + dense_h(name='hr')(h))
        z = nn.sigmoid(dense_i(name='iz')(inputs) + dense_h(name='hz')(h))
        n = nn.tanh(dense_i(name='in')(inputs)
                    + dense_h(name='hn', use_bias=True)(r * h))
        h = (1 - z) * n + z * h
        return h, h


class GRUResetBefore(GRU):
    def setup(self):
        self.rnn = nn.RNN(GRUCellResetBefore(self.num_hiddens),
                          return_carry=True)
