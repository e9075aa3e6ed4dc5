"""d2l §7.3: padding and stride."""

from mxnet.gluon import nn


class PaddedConv(nn.Block):
    def __init__(self, kernel_size, padding, stride):
        super().__init__()
        # padding=(2, 1): 2 rows above and below, 1 column left and right
        self.conv = nn.Conv2D(1, kernel_size, strides=stride, padding=padding)

    def forward(self, X):  # X: (N, 1, 8, 8)
        return self.conv(X)
