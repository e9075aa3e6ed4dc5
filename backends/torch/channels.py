"""d2l §7.4: multiple input and output channels; the 1x1 convolution."""

from torch import nn


class MultiChannelConv(nn.Module):
    def __init__(self, out_channels, kernel_size):
        super().__init__()
        # weight (out_channels, in_channels, kH, kW); the input channels are summed over
        self.conv = nn.LazyConv2d(out_channels, kernel_size, bias=False)

    def forward(self, X):  # X: (N, C, H, W)
        return self.conv(X)
