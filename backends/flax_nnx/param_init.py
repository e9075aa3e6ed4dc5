"""d2l §6.3: parameter initialisation, initialisers passed to each nnx.Linear."""

import jax
import jax.numpy as jnp
from flax import nnx

init = nnx.initializers


def net(kernel_init=(None, None), bias_init=(None, None), *, rngs: nnx.Rngs):
    def linear(in_features, out_features, kernel, bias):
        given = {k: v for k, v in (("kernel_init", kernel), ("bias_init", bias)) if v}
        return nnx.Linear(in_features, out_features, **given, rngs=rngs)

    return nnx.Sequential(linear(4, 8, kernel_init[0], bias_init[0]), nnx.relu,
                          linear(8, 1, kernel_init[1], bias_init[1]))


def NormalNet(*, rngs: nnx.Rngs):
    normal = init.normal(stddev=0.01)
    return net((normal, normal), (init.zeros, init.zeros), rngs=rngs)


def ConstantNet(*, rngs: nnx.Rngs):
    return net((init.constant(1), init.constant(1)), (init.zeros, init.zeros),
               rngs=rngs)


def XavierAnd42Net(*, rngs: nnx.Rngs):
    return net((init.xavier_uniform(), init.constant(42)), rngs=rngs)


def my_init(key, shape, dtype=jnp.float_):
    data = jax.random.uniform(key, shape, dtype, minval=-10, maxval=10)
    return data * (jnp.abs(data) >= 5)


def CustomInitNet(*, rngs: nnx.Rngs):
    return net((my_init, my_init), rngs=rngs)


class XavierMLP(nnx.Module):  # the §6.1 MLP with init_weights
    def __init__(self, *, rngs: nnx.Rngs):
        self.hidden = nnx.Linear(20, 256, kernel_init=init.xavier_uniform(),
                                 bias_init=init.zeros, rngs=rngs)
        self.out = nnx.Linear(256, 10, kernel_init=init.xavier_uniform(),
                              bias_init=init.zeros, rngs=rngs)

    def __call__(self, X):
        return self.out(nnx.relu(self.hidden(X)))
