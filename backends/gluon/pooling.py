"""d2l §7.5: pooling with padding and stride."""

from mxnet.gluon import nn


class MaxPool(nn.Block):
    def __init__(self):
        super().__init__()
        self.pool = nn.MaxPool2D(3, padding=1, strides=2)

    def forward(self, X):  # X: (N, C, 5, 5), each channel pooled on its own
        return self.pool(X)


class AvgPool(nn.Block):
    def __init__(self):
        super().__init__()
        # count_include_pad=True (the default): every window is divided by 9
        self.pool = nn.AvgPool2D(3, padding=1, strides=2)

    def forward(self, X):
        return self.pool(X)
