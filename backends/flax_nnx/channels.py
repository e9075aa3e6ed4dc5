"""d2l §7.4: multiple input and output channels; the 1x1 convolution. NHWC."""

from flax import nnx


class MultiChannelConv(nnx.Module):
    def __init__(self, in_features, out_channels, kernel_size, *, rngs: nnx.Rngs):
        # kernel (kH, kW, in_channels, out_channels); the input channels are summed over
        self.conv = nnx.Conv(in_features, out_channels, kernel_size=kernel_size,
                             strides=(1, 1), padding='VALID', use_bias=False, rngs=rngs)

    def __call__(self, X):  # X: (N, H, W, C)
        return self.conv(X)
