"""d2l §7.3: padding and stride."""

from torch import nn


class PaddedConv(nn.Module):
    def __init__(self, kernel_size, padding, stride):
        super().__init__()
        # padding=(2, 1): 2 rows above and below, 1 column left and right
        self.conv = nn.LazyConv2d(1, kernel_size, stride=stride, padding=padding)

    def forward(self, X):  # X: (N, 1, 8, 8)
        return self.conv(X)
