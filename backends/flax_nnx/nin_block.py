"""d2l §8.3: a NiN block, NHWC."""

from flax import nnx


def nin_block(out_channels, kernel_size, strides, in_features, padding='VALID', *,
              rngs: nnx.Rngs):
    return nnx.Sequential(
        nnx.Conv(in_features, out_channels, kernel_size, strides, padding=padding,
                 rngs=rngs),
        nnx.relu,
        nnx.Conv(out_channels, out_channels, kernel_size=(1, 1), padding=0, rngs=rngs),
        nnx.relu,
        nnx.Conv(out_channels, out_channels, kernel_size=(1, 1), padding=0, rngs=rngs),
        nnx.relu)
