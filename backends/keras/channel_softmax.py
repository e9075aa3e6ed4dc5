"""Per-pixel class probabilities: a 1x1 convolution, then softmax over channels."""

import keras


class ChannelSoftmax(keras.Model):
    def __init__(self):
        super().__init__()
        self.conv = keras.layers.Conv2D(3, kernel_size=1)
        self.softmax = keras.layers.Softmax(axis=-1)  # channels of an NHWC tensor

    def call(self, X):
        return self.softmax(self.conv(X))


class ChannelSoftmaxAxis1(ChannelSoftmax):
    """PyTorch's dim=1 copied as is: in NHWC that is the height axis."""

    def __init__(self):
        super().__init__()
        self.softmax = keras.layers.Softmax(axis=1)
