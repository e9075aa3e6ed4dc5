"""d2l §8.5: LeNet with batch normalisation, from scratch and concise; NHWC."""

from flax import linen as nn

from backends.flax.batch_norm import BatchNorm  # d2l §8.5, the layer from scratch


def avg_pool(x):
    return nn.avg_pool(x, window_shape=(2, 2), strides=(2, 2), padding='VALID')


class BNLeNetScratch(nn.Module):
    num_classes: int = 10
    training: bool = True

    def setup(self):
        def bn(features, num_dims):
            return BatchNorm(features, num_dims, deterministic=not self.training)

        self.net = nn.Sequential([
            nn.Conv(6, kernel_size=(5, 5), padding='VALID'), bn(6, 4), nn.sigmoid,
            avg_pool,
            nn.Conv(16, kernel_size=(5, 5), padding='VALID'), bn(16, 4), nn.sigmoid,
            avg_pool,
            lambda x: x.reshape((x.shape[0], -1)),  # flatten, in (H, W, C) order
            nn.Dense(120), bn(120, 2), nn.sigmoid,
            nn.Dense(84), bn(84, 2), nn.sigmoid,
            nn.Dense(self.num_classes)])

    def __call__(self, X):  # X: (N, 28, 28, 1)
        return self.net(X)


class BNLeNet(nn.Module):
    num_classes: int = 10
    training: bool = True

    def setup(self):
        def bn():
            return nn.BatchNorm(not self.training, momentum=0.9, epsilon=1e-5,
                                use_fast_variance=False)

        self.net = nn.Sequential([
            nn.Conv(6, kernel_size=(5, 5), padding='VALID'), bn(), nn.sigmoid,
            avg_pool,
            nn.Conv(16, kernel_size=(5, 5), padding='VALID'), bn(), nn.sigmoid,
            avg_pool,
            lambda x: x.reshape((x.shape[0], -1)),  # flatten, in (H, W, C) order
            nn.Dense(120), bn(), nn.sigmoid,
            nn.Dense(84), bn(), nn.sigmoid,
            nn.Dense(self.num_classes)])

    def __call__(self, X):  # X: (N, 28, 28, 1)
        return self.net(X)
