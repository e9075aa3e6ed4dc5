"""d2l §7.3: 'same' padding, NHWC. Flax's 'SAME' is TF's: the odd pixel goes after."""

from flax import linen as nn


class SameConv(nn.Module):
    kernel_size: tuple
    stride: tuple

    def setup(self):
        self.conv = nn.Conv(1, kernel_size=self.kernel_size, strides=self.stride,
                            padding='SAME')

    def __call__(self, X):  # X: (N, 8, 8, 1)
        return self.conv(X)


SameConvStride2 = SameConv  # 'SAME' works at any stride: (0, 1) on 8x8 at stride 2


class SymmetricConv(nn.Module):
    """The book's 'same': padding (k - 1) // 2 on both sides (a trap here)."""

    kernel_size: tuple
    stride: tuple

    def setup(self):
        padding = [(k - 1) // 2 for k in self.kernel_size]
        self.conv = nn.Conv(1, kernel_size=self.kernel_size, strides=self.stride,
                            padding=padding)

    def __call__(self, X):
        return self.conv(X)
