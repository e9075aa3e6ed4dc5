"""d2l §7.6: LeNet-5, NHWC."""

from flax import nnx


class LeNet(nnx.Module):
    def __init__(self, num_classes=10, *, rngs: nnx.Rngs):
        self.net = nnx.Sequential(
            nnx.Conv(1, 6, kernel_size=(5, 5), strides=(1, 1), padding=2, rngs=rngs),
            nnx.sigmoid,
            lambda x: nnx.avg_pool(x, (2, 2), strides=(2, 2), padding='VALID'),
            nnx.Conv(6, 16, kernel_size=(5, 5), strides=(1, 1), padding=0, rngs=rngs),
            nnx.sigmoid,
            lambda x: nnx.avg_pool(x, (2, 2), strides=(2, 2), padding='VALID'),
            lambda x: x.reshape((x.shape[0], -1)),  # flatten, in (H, W, C) order
            nnx.Linear(16 * 5 * 5, 120, rngs=rngs), nnx.sigmoid,
            nnx.Linear(120, 84, rngs=rngs), nnx.sigmoid,
            nnx.Linear(84, num_classes, rngs=rngs))

    def __call__(self, X):  # X: (N, 28, 28, 1)
        return self.net(X)
