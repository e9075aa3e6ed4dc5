"""d2l §7.3: 'same' padding as TF defines it (the odd padded pixel goes after)."""

import math

import torch.nn.functional as F
from torch import nn


class SameConv(nn.Module):
    def __init__(self, kernel_size, stride):
        super().__init__()
        # stride 1 only; an even kernel is padded (1, 2): the extra pixel after
        self.conv = nn.LazyConv2d(1, kernel_size, stride=stride, padding='same')

    def forward(self, X):  # X: (N, 1, 8, 8)
        return self.conv(X)


def same_pads(n, k, s):
    """TF's 'same': ceil(n / s) outputs; an odd total goes after."""
    total = max((math.ceil(n / s) - 1) * s + k - n, 0)
    return total // 2, total - total // 2


class SameConvStride2(nn.Module):
    """torch refuses padding='same' with stride 2: pad by hand, then convolve."""

    def __init__(self, kernel_size, stride):
        super().__init__()
        self.kernel_size, self.stride = kernel_size, stride
        self.conv = nn.LazyConv2d(1, kernel_size, stride=stride)

    def forward(self, X):  # 8x8 at stride 2: pads (0, 1), windows at 0, 2, 4, 6
        (top, bottom), (left, right) = map(same_pads, X.shape[2:], self.kernel_size,
                                           self.stride)
        return self.conv(F.pad(X, (left, right, top, bottom)))  # last axis first


class SymmetricConv(nn.Module):
    """The book's 'same': padding (k - 1) // 2 on both sides (a trap here)."""

    def __init__(self, kernel_size, stride):
        super().__init__()
        padding = [(k - 1) // 2 for k in kernel_size]
        self.conv = nn.LazyConv2d(1, kernel_size, stride=stride, padding=padding)

    def forward(self, X):
        return self.conv(X)
