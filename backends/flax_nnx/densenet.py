"""d2l §8.7: DenseNet's convolution block, dense block and transition block; NHWC."""

import jax.numpy as jnp
from flax import nnx


def conv_block(num_channels, in_features, *, rngs: nnx.Rngs):
    return nnx.Sequential(
        nnx.BatchNorm(in_features, momentum=0.9, epsilon=1e-5, use_fast_variance=False,
                      rngs=rngs),
        nnx.relu,
        nnx.Conv(in_features, num_channels, kernel_size=(3, 3),
                 padding=((1, 1), (1, 1)), rngs=rngs))


class DenseBlock(nnx.Module):
    def __init__(self, num_convs, num_channels, in_features, *, rngs: nnx.Rngs):
        # each block reads every channel so far: NNX needs the count at construction
        self.net = nnx.Sequential(*[
            conv_block(num_channels, in_features + i * num_channels, rngs=rngs)
            for i in range(num_convs)])

    def __call__(self, X):
        for blk in self.net.layers:
            Y = blk(X)
            # Concatenate input and output of each block along the channels
            X = jnp.concatenate((X, Y), axis=-1)
        return X


def transition_block(num_channels, in_features, *, rngs: nnx.Rngs):
    return nnx.Sequential(
        nnx.BatchNorm(in_features, momentum=0.9, epsilon=1e-5, use_fast_variance=False,
                      rngs=rngs),
        nnx.relu,
        nnx.Conv(in_features, num_channels, kernel_size=(1, 1), rngs=rngs),
        lambda x: nnx.avg_pool(x, window_shape=(2, 2), strides=(2, 2)))
