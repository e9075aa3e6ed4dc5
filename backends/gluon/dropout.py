"""d2l §5.6: dropout, the built-in layer and the concise DropoutMLP."""

from mxnet.gluon import nn


def dropout():
    return nn.Dropout(0.3)


class DropoutMLP(nn.Block):
    def __init__(self, num_outputs, num_hiddens_1, num_hiddens_2,
                 dropout_1, dropout_2):
        super().__init__()
        self.net = nn.Sequential()
        self.net.add(nn.Flatten(),
                     nn.Dense(num_hiddens_1, activation='relu'),
                     nn.Dropout(dropout_1),
                     nn.Dense(num_hiddens_2, activation='relu'),
                     nn.Dropout(dropout_2),
                     nn.Dense(num_outputs))

    def forward(self, X):
        return self.net(X)
