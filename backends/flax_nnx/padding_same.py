"""d2l §7.3: 'same' padding, NHWC.

NNX's 'SAME' is linen's (TF's): the odd pixel goes after.
"""

from flax import nnx


class SameConv(nnx.Module):
    def __init__(self, kernel_size, stride, *, rngs: nnx.Rngs):
        self.conv = nnx.Conv(1, 1, kernel_size=kernel_size, strides=stride,
                             padding='SAME', rngs=rngs)

    def __call__(self, X):  # X: (N, 8, 8, 1)
        return self.conv(X)


SameConvStride2 = SameConv  # 'SAME' works at any stride: (0, 1) on 8x8 at stride 2


class SymmetricConv(nnx.Module):
    """The book's 'same': padding (k - 1) // 2 on both sides (a trap here)."""

    def __init__(self, kernel_size, stride, *, rngs: nnx.Rngs):
        padding = [(k - 1) // 2 for k in kernel_size]
        self.conv = nnx.Conv(1, 1, kernel_size=kernel_size, strides=stride,
                             padding=padding, rngs=rngs)

    def __call__(self, X):
        return self.conv(X)
