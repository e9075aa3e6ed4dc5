"""d2l §6.3: the MLP with PyTorch's initialisation, and two ports that lose it."""

import math

import jax
import jax.numpy as jnp
from flax import nnx


def torch_uniform(fan_in=None, axis=0):  # PyTorch's Linear default, kernel (in, out)
    def init(key, shape, dtype=jnp.float_):
        bound = 1 / math.sqrt(fan_in or shape[axis])
        return jax.random.uniform(key, shape, dtype, -bound, bound)
    return init


class TorchInitMLP(nnx.Module):
    # axis: where the kernel keeps its inputs
    def __init__(self, axis=0, *, rngs: nnx.Rngs):
        self.hidden = nnx.Linear(20, 256, kernel_init=torch_uniform(axis=axis),
                                 bias_init=torch_uniform(20), rngs=rngs)
        self.out = nnx.Linear(256, 10, kernel_init=torch_uniform(axis=axis),
                              bias_init=torch_uniform(256), rngs=rngs)

    def __call__(self, X):
        return self.out(nnx.relu(self.hidden(X)))


# the trap: fan_in = shape[1], PyTorch's axis on an nnx kernel
def FanSwappedMLP(*, rngs: nnx.Rngs):
    return TorchInitMLP(axis=1, rngs=rngs)


class DefaultsMLP(nnx.Module):  # the trap: nnx's defaults (lecun_normal, zeros)
    def __init__(self, *, rngs: nnx.Rngs):
        self.hidden = nnx.Linear(20, 256, rngs=rngs)
        self.out = nnx.Linear(256, 10, rngs=rngs)

    def __call__(self, X):
        return self.out(nnx.relu(self.hidden(X)))
