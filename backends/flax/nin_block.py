"""d2l §8.3: a NiN block, NHWC."""

from flax import linen as nn


def nin_block(out_channels, kernel_size, strides, padding='VALID'):
    return nn.Sequential([
        nn.Conv(out_channels, kernel_size, strides, padding), nn.relu,
        nn.Conv(out_channels, kernel_size=(1, 1), strides=(1, 1), padding=0), nn.relu,
        nn.Conv(out_channels, kernel_size=(1, 1), strides=(1, 1), padding=0), nn.relu])
