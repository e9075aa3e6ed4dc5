"""d2l §7.3: 'same' padding as TF defines it (the odd padded pixel goes after)."""

import math

from mxnet import np
from mxnet.gluon import nn


def same_pads(n, k, s):
    """TF's 'same': ceil(n / s) outputs; an odd total goes after."""
    total = max((math.ceil(n / s) - 1) * s + k - n, 0)
    return total // 2, total - total // 2


class SameConv(nn.Block):
    """Gluon has no 'same' and pads symmetrically only: pad by hand."""

    def __init__(self, kernel_size, stride):
        super().__init__()
        self.kernel_size, self.stride = kernel_size, stride
        self.conv = nn.Conv2D(1, kernel_size, strides=stride)

    def forward(self, X):  # X: (N, 1, 8, 8)
        pads = map(same_pads, X.shape[2:], self.kernel_size, self.stride)
        return self.conv(np.pad(X, ((0, 0), (0, 0), *pads)))


SameConvStride2 = SameConv  # 8x8 at stride 2: pads (0, 1), windows at 0, 2, 4, 6


class SymmetricConv(nn.Block):
    """The book's 'same': padding (k - 1) // 2 on both sides (a trap here)."""

    def __init__(self, kernel_size, stride):
        super().__init__()
        padding = [(k - 1) // 2 for k in kernel_size]
        self.conv = nn.Conv2D(1, kernel_size, strides=stride, padding=padding)

    def forward(self, X):
        return self.conv(X)
