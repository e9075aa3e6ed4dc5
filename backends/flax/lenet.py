"""d2l §7.6: LeNet-5, NHWC."""

from flax import linen as nn


class LeNet(nn.Module):
    num_classes: int = 10

    def setup(self):
        self.net = nn.Sequential([
            nn.Conv(6, kernel_size=(5, 5), strides=(1, 1), padding=2), nn.sigmoid,
            lambda x: nn.avg_pool(x, (2, 2), strides=(2, 2), padding='VALID'),
            nn.Conv(16, kernel_size=(5, 5), strides=(1, 1), padding=0), nn.sigmoid,
            lambda x: nn.avg_pool(x, (2, 2), strides=(2, 2), padding='VALID'),
            lambda x: x.reshape((x.shape[0], -1)),  # flatten, in (H, W, C) order
            nn.Dense(120), nn.sigmoid,
            nn.Dense(84), nn.sigmoid,
            nn.Dense(self.num_classes)])

    def __call__(self, X):  # X: (N, 28, 28, 1)
        return self.net(X)
