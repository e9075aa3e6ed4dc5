"""Per-pixel class probabilities: a 1x1 convolution, then softmax over channels."""

from torch import nn


class ChannelSoftmax(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv = nn.LazyConv2d(3, kernel_size=1)
        self.softmax = nn.Softmax(dim=1)  # channels of an NCHW tensor

    def forward(self, X):
        return self.softmax(self.conv(X))
