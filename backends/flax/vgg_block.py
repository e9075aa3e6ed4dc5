"""d2l §8.2: a VGG block, NHWC."""

from flax import linen as nn


def vgg_block(num_convs, out_channels):
    layers = []
    for _ in range(num_convs):
        layers.append(nn.Conv(out_channels, kernel_size=(3, 3), strides=(1, 1),
                              padding=(1, 1)))
        layers.append(nn.relu)
    layers.append(lambda x: nn.max_pool(x, window_shape=(2, 2), strides=(2, 2),
                                     padding='VALID'))
    return nn.Sequential(layers)
