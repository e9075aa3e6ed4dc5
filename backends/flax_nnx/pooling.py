"""d2l §7.5: padded, strided pooling, NHWC.

nnx.max_pool is linen's (stride 1 by default).
"""

from flax import nnx


class MaxPool(nnx.Module):
    def __call__(self, X):  # X: (N, 5, 5, C), each channel pooled on its own
        return nnx.max_pool(X, (3, 3), strides=(2, 2), padding=((1, 1), (1, 1)))


class AvgPool(nnx.Module):
    def __call__(self, X):  # every window is divided by 9, padded zeros included
        return nnx.avg_pool(X, (3, 3), strides=(2, 2), padding=((1, 1), (1, 1)),
                            count_include_pad=True)


class MaxPoolSame(nnx.Module):
    """'SAME' padding: like padding 1 on a 5x5 map only (a trap here)."""

    def __call__(self, X):
        return nnx.max_pool(X, (3, 3), strides=(2, 2), padding='SAME')
