"""d2l §8.6: ResNet's stem and first residual stages, NHWC."""

from flax import nnx

from .residual import Residual  # d2l §8.6


class ResNet(nnx.Module):
    def __init__(self, arch, num_channels=64, in_features=1, *, rngs: nnx.Rngs):
        self.b1 = nnx.Sequential(
            nnx.Conv(in_features, num_channels, kernel_size=(7, 7), strides=(2, 2),
                     padding=((3, 3), (3, 3)), rngs=rngs),
            nnx.BatchNorm(num_channels, momentum=0.9, epsilon=1e-5,
                          use_fast_variance=False, rngs=rngs),
            nnx.relu,
            lambda x: nnx.max_pool(x, window_shape=(3, 3), strides=(2, 2),
                                   padding=((1, 1), (1, 1))))
        self.b2 = self.block(*arch[0], num_channels, first_block=True, rngs=rngs)
        self.b3 = self.block(*arch[1], arch[0][1], rngs=rngs)

    def block(self, num_residuals, num_channels, in_channels, first_block=False, *,
              rngs):
        blk = []
        for i in range(num_residuals):
            if i == 0 and not first_block:
                blk.append(Residual(num_channels, use_1x1conv=True, strides=2,
                                    in_features=in_channels, rngs=rngs))
            else:
                blk.append(Residual(num_channels, rngs=rngs))
        return nnx.Sequential(*blk)

    def __call__(self, X):  # X: (N, 32, 32, 1)
        return self.b3(self.b2(self.b1(X)))
