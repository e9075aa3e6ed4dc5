"""d2l §7.6: LeNet-5."""

from mxnet.gluon import nn


class LeNet(nn.Block):
    def __init__(self, num_classes=10):
        super().__init__()
        self.net = nn.Sequential()
        self.net.add(
            nn.Conv2D(6, kernel_size=5, padding=2, activation='sigmoid'),
            nn.AvgPool2D(pool_size=2, strides=2),
            nn.Conv2D(16, kernel_size=5, activation='sigmoid'),
            nn.AvgPool2D(pool_size=2, strides=2),
            # The book leaves this to Dense (flatten=True by default); written
            # out, the layers are numbered as in PyTorch.
            nn.Flatten(),
            nn.Dense(120, activation='sigmoid'),
            nn.Dense(84, activation='sigmoid'),
            nn.Dense(num_classes))

    def forward(self, X):  # X: (N, 1, 28, 28)
        return self.net(X)
