"""d2l §8.6: the residual block, NHWC."""

from flax import nnx


class Residual(nnx.Module):
    """The Residual block of ResNet models."""

    # padding: the book writes 'same' (see the variant)
    def __init__(self, num_channels, use_1x1conv=False, strides=1, in_features=None,
                 padding=((1, 1), (1, 1)), *, rngs: nnx.Rngs):
        in_features = in_features or num_channels
        s = (strides, strides)
        self.conv1 = nnx.Conv(in_features, num_channels, kernel_size=(3, 3),
                              padding=padding, strides=s, rngs=rngs)
        self.conv2 = nnx.Conv(num_channels, num_channels, kernel_size=(3, 3),
                              padding=((1, 1), (1, 1)), rngs=rngs)
        if use_1x1conv:
            self.conv3 = nnx.Conv(in_features, num_channels, kernel_size=(1, 1),
                                  strides=s, rngs=rngs)
        else:
            self.conv3 = None
        self.bn1 = nnx.BatchNorm(num_channels, momentum=0.9, epsilon=1e-5,
                                 use_fast_variance=False, rngs=rngs)
        self.bn2 = nnx.BatchNorm(num_channels, momentum=0.9, epsilon=1e-5,
                                 use_fast_variance=False, rngs=rngs)

    def __call__(self, X):
        Y = nnx.relu(self.bn1(self.conv1(X)))
        Y = self.bn2(self.conv2(Y))
        if self.conv3 is not None:
            X = self.conv3(X)
        Y += X
        return nnx.relu(Y)


class ResidualSamePadding(Residual):
    """As the book's JAX version: conv1 padded 'same'."""

    def __init__(self, num_channels, use_1x1conv=False, strides=1, in_features=None, *,
                 rngs: nnx.Rngs):
        super().__init__(num_channels, use_1x1conv, strides, in_features,
                         padding='SAME', rngs=rngs)
