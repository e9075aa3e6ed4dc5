"""d2l §7.3: padding and stride, NHWC."""

from flax import nnx


class PaddedConv(nnx.Module):
    # kernel_size, stride: pairs; padding (2, 1): 2 rows above and below,
    # 1 column left and right
    def __init__(self, kernel_size, padding, stride, *, rngs: nnx.Rngs):
        self.conv = nnx.Conv(1, 1, kernel_size=kernel_size, strides=stride,
                             padding=padding, rngs=rngs)

    def __call__(self, X):  # X: (N, 8, 8, 1)
        return self.conv(X)
