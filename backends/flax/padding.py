"""d2l §7.3: padding and stride, NHWC."""

from flax import linen as nn


class PaddedConv(nn.Module):
    kernel_size: tuple  # always a pair: an int would make a 1-D convolution
    padding: tuple  # (2, 1): 2 rows above and below, 1 column left and right
    stride: tuple

    def setup(self):
        self.conv = nn.Conv(1, kernel_size=self.kernel_size, strides=self.stride,
                            padding=self.padding)

    def __call__(self, X):  # X: (N, 8, 8, 1)
        return self.conv(X)
