"""d2l §7.4: multiple input and output channels; the 1x1 convolution. NHWC."""

import keras


class MultiChannelConv(keras.Model):
    def __init__(self, out_channels, kernel_size):
        super().__init__()
        # kernel (kH, kW, in_channels, out_channels); the input channels are summed over
        self.conv = keras.layers.Conv2D(out_channels, kernel_size, use_bias=False)

    def call(self, X):  # X: (N, H, W, C)
        return self.conv(X)
