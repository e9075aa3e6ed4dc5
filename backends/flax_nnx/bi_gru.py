"""d2l §10.4: the bidirectional GRU with high-level APIs (batch-major)."""

from flax import nnx

from .gru import GRUCell  # nnx.GRUCell with PyTorch's hidden bias


class BiGRU(nnx.Module):
    def __init__(self, num_inputs, num_hiddens, *, rngs: nnx.Rngs):
        self.rnn = nnx.Bidirectional(
            nnx.RNN(GRUCell(num_inputs, num_hiddens, rngs=rngs)),
            nnx.RNN(GRUCell(num_inputs, num_hiddens, rngs=rngs)),
            return_carry=True)

    def __call__(self, inputs, H):
        # H: [forward, backward]; outputs concatenate both directions
        H, outputs = self.rnn(inputs, initial_carry=tuple(H))
        return outputs, H
