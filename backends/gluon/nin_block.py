"""d2l §8.3: a NiN block."""

from mxnet.gluon import nn


def nin_block(out_channels, kernel_size, strides, padding=0):
    blk = nn.Sequential()
    blk.add(nn.Conv2D(out_channels, kernel_size, strides, padding, activation='relu'),
            nn.Conv2D(out_channels, kernel_size=1, activation='relu'),
            nn.Conv2D(out_channels, kernel_size=1, activation='relu'))
    return blk
