"""d2l §8.6: ResNet's stem and first residual stages, NHWC."""

from flax import linen as nn

from backends.flax.residual import Residual  # d2l §8.6


class ResNet(nn.Module):
    arch: tuple
    num_channels: int = 64
    training: bool = True

    def setup(self):
        self.b1 = nn.Sequential([
            nn.Conv(self.num_channels, kernel_size=(7, 7), strides=(2, 2),
                    padding=((3, 3), (3, 3))),
            nn.BatchNorm(not self.training, momentum=0.9, epsilon=1e-5,
                         use_fast_variance=False),
            nn.relu,
            lambda x: nn.max_pool(x, window_shape=(3, 3), strides=(2, 2),
                                  padding=((1, 1), (1, 1)))])
        self.b2 = self.block(*self.arch[0], first_block=True)
        self.b3 = self.block(*self.arch[1])

    def block(self, num_residuals, num_channels, first_block=False):
        blk = []
        for i in range(num_residuals):
            if i == 0 and not first_block:
                blk.append(Residual(num_channels, use_1x1conv=True, strides=2,
                                    training=self.training))
            else:
                blk.append(Residual(num_channels, training=self.training))
        return nn.Sequential(blk)

    def __call__(self, X):  # X: (N, 32, 32, 1)
        return self.b3(self.b2(self.b1(X)))
