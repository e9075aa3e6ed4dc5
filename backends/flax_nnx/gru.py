"""d2l §10.2: the GRU with high-level APIs (batch-major: (batch, steps, inputs))."""

from flax import nnx


class GRUCell(nnx.GRUCell):
    """nnx.GRUCell with PyTorch's hidden bias: nnx's ``dense_h`` has none, so the n
    gate's r * (W_hn h + b_hn) loses b_hn (linen's GRUCell keeps it)."""

    def __init__(self, in_features, hidden_features, *, rngs: nnx.Rngs):
        super().__init__(in_features, hidden_features, rngs=rngs)
        self.dense_h = nnx.Linear(hidden_features, 3 * hidden_features,
                                  kernel_init=nnx.initializers.orthogonal(), rngs=rngs)


class GRU(nnx.Module):
    def __init__(self, num_inputs, num_hiddens, *, rngs: nnx.Rngs):
        self.rnn = nnx.RNN(GRUCell(num_inputs, num_hiddens, rngs=rngs),
                           return_carry=True)

    def __call__(self, inputs, H=None):
        H, outputs = self.rnn(inputs, initial_carry=H)
        return outputs, H


class GRUNoHiddenBias(nnx.Module):
    """nnx.GRUCell as it is: one bias, on the inputs (the trap)."""

    def __init__(self, num_inputs, num_hiddens, *, rngs: nnx.Rngs):
        self.rnn = nnx.RNN(nnx.GRUCell(num_inputs, num_hiddens, rngs=rngs),
                           return_carry=True)

    def __call__(self, inputs, H=None):
        H, outputs = self.rnn(inputs, initial_carry=H)
        return outputs, H
