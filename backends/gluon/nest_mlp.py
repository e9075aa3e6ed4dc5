"""d2l §6.1: a block that nests a Sequential."""

from mxnet.gluon import nn


class NestMLP(nn.Block):
    def __init__(self):
        super().__init__()
        self.net = nn.Sequential()
        self.net.add(nn.Dense(64, activation='relu'),
                     nn.Dense(32, activation='relu'))
        self.linear = nn.Dense(16)

    def forward(self, X):
        return self.linear(self.net(X))
