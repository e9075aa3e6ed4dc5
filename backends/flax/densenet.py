"""d2l §8.7: DenseNet's convolution block, dense block and transition block; NHWC."""

import jax.numpy as jnp
from flax import linen as nn


def conv_block(num_channels, training=True):
    return nn.Sequential([
        nn.BatchNorm(not training, momentum=0.9, epsilon=1e-5,
                     use_fast_variance=False),
        nn.relu,
        nn.Conv(num_channels, kernel_size=(3, 3), padding=((1, 1), (1, 1)))])


class DenseBlock(nn.Module):
    num_convs: int
    num_channels: int
    training: bool = True

    def setup(self):
        self.net = nn.Sequential([conv_block(self.num_channels, self.training)
                                  for _ in range(self.num_convs)])

    def __call__(self, X):
        for blk in self.net.layers:
            Y = blk(X)
            # Concatenate input and output of each block along the channels
            X = jnp.concatenate((X, Y), axis=-1)
        return X


def transition_block(num_channels, training=True):
    return nn.Sequential([
        nn.BatchNorm(not training, momentum=0.9, epsilon=1e-5,
                     use_fast_variance=False),
        nn.relu,
        nn.Conv(num_channels, kernel_size=(1, 1)),
        lambda x: nn.avg_pool(x, window_shape=(2, 2), strides=(2, 2))])
