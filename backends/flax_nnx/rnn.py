"""d2l §9.6: the RNN with high-level APIs (batch-major: (batch, steps, inputs))."""

from flax import nnx


class RNN(nnx.Module):
    def __init__(self, num_inputs, num_hiddens, *, dtype=None, rngs: nnx.Rngs):
        # nnx.SimpleCell computes in float32 unless told (its dtype defaults to
        # jnp.float32, the other cells' to None: the dtype of the inputs and weights)
        self.rnn = nnx.RNN(
            nnx.SimpleCell(num_inputs, num_hiddens, dtype=dtype, rngs=rngs),
            return_carry=True)

    def __call__(self, inputs, H=None):
        H, outputs = self.rnn(inputs, initial_carry=H)
        return outputs, H
