"""d2l §10.4: the bidirectional GRU with high-level APIs (batch-major)."""

from flax import linen as nn


class BiGRU(nn.Module):
    num_inputs: int  # flax infers it from the inputs
    num_hiddens: int

    def setup(self):
        self.rnn = nn.Bidirectional(nn.RNN(nn.GRUCell(self.num_hiddens)),
                                    nn.RNN(nn.GRUCell(self.num_hiddens)),
                                    return_carry=True)

    def __call__(self, inputs, H):
        # H: [forward, backward]; outputs concatenate both directions
        H, outputs = self.rnn(inputs, initial_carry=H)
        return outputs, H
