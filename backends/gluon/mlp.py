"""d2l §6.1: an MLP as a custom block."""

from mxnet.gluon import nn


class MLP(nn.Block):
    def __init__(self):
        super().__init__()
        self.hidden = nn.Dense(256, activation='relu')  # hidden layer
        self.out = nn.Dense(10)  # output layer

    def forward(self, X):
        return self.out(self.hidden(X))
