"""d2l §7.4: multiple input and output channels; the 1x1 convolution. NHWC."""

from flax import linen as nn


class MultiChannelConv(nn.Module):
    out_channels: int
    kernel_size: tuple

    def setup(self):
        # kernel (kH, kW, in_channels, out_channels); the input channels are summed over
        self.conv = nn.Conv(self.out_channels, kernel_size=self.kernel_size,
                            strides=(1, 1), padding='VALID', use_bias=False)

    def __call__(self, X):  # X: (N, H, W, C)
        return self.conv(X)
