"""d2l §8.4: the Inception block of GoogLeNet, NHWC."""

import jax.numpy as jnp
from flax import nnx


class Inception(nnx.Module):
    # c1--c4 are the number of output channels for each branch
    def __init__(self, c1, c2, c3, c4, in_features, *, rngs: nnx.Rngs):
        one = dict(kernel_size=(1, 1), strides=(1, 1), padding=0, rngs=rngs)
        self.b1_1 = nnx.Conv(in_features, c1, **one)  # branch 1
        self.b2_1 = nnx.Conv(in_features, c2[0], **one)  # branch 2
        self.b2_2 = nnx.Conv(c2[0], c2[1], kernel_size=(3, 3), strides=(1, 1),
                             padding=1, rngs=rngs)
        self.b3_1 = nnx.Conv(in_features, c3[0], **one)  # branch 3
        self.b3_2 = nnx.Conv(c3[0], c3[1], kernel_size=(5, 5), strides=(1, 1),
                             padding=2, rngs=rngs)
        self.b4_1 = lambda x: nnx.max_pool(x, window_shape=(3, 3), strides=(1, 1),
                                           padding=((1, 1), (1, 1)))  # branch 4
        self.b4_2 = nnx.Conv(in_features, c4, **one)

    def __call__(self, x):
        b1 = nnx.relu(self.b1_1(x))
        b2 = nnx.relu(self.b2_2(nnx.relu(self.b2_1(x))))
        b3 = nnx.relu(self.b3_2(nnx.relu(self.b3_1(x))))
        b4 = nnx.relu(self.b4_2(self.b4_1(x)))
        return jnp.concatenate((b1, b2, b3, b4), axis=-1)  # NHWC: channels are last
