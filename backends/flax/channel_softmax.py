"""Per-pixel class probabilities: a 1x1 convolution, then softmax over channels."""

from flax import linen as nn


class ChannelSoftmax(nn.Module):
    def setup(self):
        self.conv = nn.Conv(3, kernel_size=(1, 1), padding='VALID')

    def __call__(self, X):
        return nn.softmax(self.conv(X), axis=-1)  # channels of an NHWC tensor


class ChannelSoftmaxAxis1(ChannelSoftmax):
    """PyTorch's dim=1 copied as is: in NHWC that is the height axis."""

    def __call__(self, X):
        return nn.softmax(self.conv(X), axis=1)
