from flax import linen as nn


class RNNNoCarry(nn.Module):
    def setup(self):
        self.rnn = nn.RNN(nn.SimpleCell(5))

    def __call__(self, x):  # (batch, steps, inputs); the carry starts at zeros
        return self.rnn(x)
