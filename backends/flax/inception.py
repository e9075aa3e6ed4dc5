"""d2l §8.4: the Inception block of GoogLeNet, NHWC."""

import jax.numpy as jnp
from flax import linen as nn


class Inception(nn.Module):
    c1: int  # c1--c4 are the number of output channels for each branch
    c2: tuple
    c3: tuple
    c4: int

    def setup(self):
        one = dict(kernel_size=(1, 1), strides=(1, 1), padding=0)
        self.b1_1 = nn.Conv(self.c1, **one)  # branch 1
        self.b2_1 = nn.Conv(self.c2[0], **one)  # branch 2
        self.b2_2 = nn.Conv(self.c2[1], kernel_size=(3, 3), strides=(1, 1), padding=1)
        self.b3_1 = nn.Conv(self.c3[0], **one)  # branch 3
        self.b3_2 = nn.Conv(self.c3[1], kernel_size=(5, 5), strides=(1, 1), padding=2)
        self.b4_1 = lambda x: nn.max_pool(x, window_shape=(3, 3), strides=(1, 1),
                                          padding=((1, 1), (1, 1)))  # branch 4
        self.b4_2 = nn.Conv(self.c4, **one)

    def __call__(self, x):
        b1 = nn.relu(self.b1_1(x))
        b2 = nn.relu(self.b2_2(nn.relu(self.b2_1(x))))
        b3 = nn.relu(self.b3_2(nn.relu(self.b3_1(x))))
        b4 = nn.relu(self.b4_2(self.b4_1(x)))
        return jnp.concatenate((b1, b2, b3, b4), axis=-1)  # NHWC: channels are last
