"""Per-pixel class probabilities: a 1x1 convolution, then softmax over channels."""

from flax import nnx


class ChannelSoftmax(nnx.Module):
    def __init__(self, in_features, *, rngs: nnx.Rngs):
        self.conv = nnx.Conv(in_features, 3, kernel_size=(1, 1), padding='VALID',
                             rngs=rngs)

    def __call__(self, X):
        return nnx.softmax(self.conv(X), axis=-1)  # channels of an NHWC tensor


class ChannelSoftmaxAxis1(ChannelSoftmax):
    """PyTorch's dim=1 copied as is: in NHWC that is the height axis."""

    def __call__(self, X):
        return nnx.softmax(self.conv(X), axis=1)
