"""d2l §8.5: LeNet with batch normalisation, from scratch and concise; NHWC."""

from flax import nnx

from .batch_norm import BatchNorm  # d2l §8.5, the layer from scratch


def avg_pool(x):
    return nnx.avg_pool(x, window_shape=(2, 2), strides=(2, 2), padding='VALID')


def flatten(x):  # in (H, W, C) order
    return x.reshape((x.shape[0], -1))


class BNLeNetScratch(nnx.Module):
    def __init__(self, num_classes=10, *, rngs: nnx.Rngs):
        self.net = nnx.Sequential(
            nnx.Conv(1, 6, kernel_size=(5, 5), padding='VALID', rngs=rngs),
            BatchNorm(6, 4, rngs=rngs), nnx.sigmoid, avg_pool,
            nnx.Conv(6, 16, kernel_size=(5, 5), padding='VALID', rngs=rngs),
            BatchNorm(16, 4, rngs=rngs), nnx.sigmoid, avg_pool, flatten,
            nnx.Linear(16 * 4 * 4, 120, rngs=rngs), BatchNorm(120, 2, rngs=rngs),
            nnx.sigmoid,
            nnx.Linear(120, 84, rngs=rngs), BatchNorm(84, 2, rngs=rngs), nnx.sigmoid,
            nnx.Linear(84, num_classes, rngs=rngs))

    def __call__(self, X):  # X: (N, 28, 28, 1)
        return self.net(X)


class BNLeNet(nnx.Module):
    def __init__(self, num_classes=10, *, rngs: nnx.Rngs):
        def bn(features):
            return nnx.BatchNorm(features, momentum=0.9, epsilon=1e-5,
                                 use_fast_variance=False, rngs=rngs)

        self.net = nnx.Sequential(
            nnx.Conv(1, 6, kernel_size=(5, 5), padding='VALID', rngs=rngs), bn(6),
            nnx.sigmoid, avg_pool,
            nnx.Conv(6, 16, kernel_size=(5, 5), padding='VALID', rngs=rngs), bn(16),
            nnx.sigmoid, avg_pool,
            flatten,
            nnx.Linear(16 * 4 * 4, 120, rngs=rngs), bn(120), nnx.sigmoid,
            nnx.Linear(120, 84, rngs=rngs), bn(84), nnx.sigmoid,
            nnx.Linear(84, num_classes, rngs=rngs))

    def __call__(self, X):  # X: (N, 28, 28, 1)
        return self.net(X)
