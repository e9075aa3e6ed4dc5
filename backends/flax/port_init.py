"""d2l §6.3: the MLP with PyTorch's initialisation, and two ports that lose it."""

import math

import jax
import jax.numpy as jnp
from flax import linen as nn


def torch_uniform(fan_in=None, axis=0):  # PyTorch's Linear default, kernel (in, out)
    def init(key, shape, dtype=jnp.float_):
        bound = 1 / math.sqrt(fan_in or shape[axis])
        return jax.random.uniform(key, shape, dtype, -bound, bound)
    return init


class TorchInitMLP(nn.Module):
    axis: int = 0  # where the kernel keeps its inputs: (in, out)

    def setup(self):
        self.hidden = nn.Dense(256, kernel_init=torch_uniform(axis=self.axis),
                               bias_init=torch_uniform(20))
        self.out = nn.Dense(10, kernel_init=torch_uniform(axis=self.axis),
                            bias_init=torch_uniform(256))

    def __call__(self, X):
        return self.out(nn.relu(self.hidden(X)))


def FanSwappedMLP():  # the trap: fan_in = shape[1], PyTorch's axis on a flax kernel
    return TorchInitMLP(axis=1)


class DefaultsMLP(nn.Module):  # the trap: flax's defaults (lecun_normal, zeros)
    def setup(self):
        self.hidden = nn.Dense(256)
        self.out = nn.Dense(10)

    def __call__(self, X):
        return self.out(nn.relu(self.hidden(X)))
