"""d2l §8.6: the residual block, NHWC."""

from flax import linen as nn


class Residual(nn.Module):
    """The Residual block of ResNet models."""
    num_channels: int
    use_1x1conv: bool = False
    strides: int = 1
    training: bool = True
    padding: object = ((1, 1), (1, 1))  # the book writes 'same': see the variant

    def setup(self):
        s = (self.strides, self.strides)
        self.conv1 = nn.Conv(self.num_channels, kernel_size=(3, 3),
                             padding=self.padding, strides=s)
        self.conv2 = nn.Conv(self.num_channels, kernel_size=(3, 3),
                             padding=((1, 1), (1, 1)))
        if self.use_1x1conv:
            self.conv3 = nn.Conv(self.num_channels, kernel_size=(1, 1),
                                 strides=s)
        else:
            self.conv3 = None
        self.bn1 = nn.BatchNorm(not self.training, momentum=0.9, epsilon=1e-5,
                                use_fast_variance=False)
        self.bn2 = nn.BatchNorm(not self.training, momentum=0.9, epsilon=1e-5,
                                use_fast_variance=False)

    def __call__(self, X):
        Y = nn.relu(self.bn1(self.conv1(X)))
        Y = self.bn2(self.conv2(Y))
        if self.conv3:
            X = self.conv3(X)
        Y += X
        return nn.relu(Y)


class ResidualSamePadding(Residual):
    """As the book's JAX version: conv1 padded 'same'."""
    padding: object = 'SAME'
