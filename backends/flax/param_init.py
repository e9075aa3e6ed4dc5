"""d2l §6.3: parameter initialisation, initialisers passed to each nn.Dense."""

import jax
import jax.numpy as jnp
from flax import linen as nn

init = nn.initializers


def net(kernel_init=(None, None), bias_init=(None, None)):
    def dense(features, kernel, bias):
        given = {k: v for k, v in (("kernel_init", kernel), ("bias_init", bias)) if v}
        return nn.Dense(features, **given)

    return nn.Sequential([dense(8, kernel_init[0], bias_init[0]), nn.relu,
                          dense(1, kernel_init[1], bias_init[1])])


def NormalNet():
    normal = init.normal(stddev=0.01)
    return net((normal, normal), (init.zeros, init.zeros))


def ConstantNet():
    return net((init.constant(1), init.constant(1)), (init.zeros, init.zeros))


def XavierAnd42Net():
    return net((init.xavier_uniform(), init.constant(42)))


def my_init(key, shape, dtype=jnp.float_):
    data = jax.random.uniform(key, shape, dtype, minval=-10, maxval=10)
    return data * (jnp.abs(data) >= 5)


def CustomInitNet():
    return net((my_init, my_init))


class XavierMLP(nn.Module):  # the §6.1 MLP with init_weights
    def setup(self):
        self.hidden = nn.Dense(256, kernel_init=init.xavier_uniform(),
                               bias_init=init.zeros)
        self.out = nn.Dense(10, kernel_init=init.xavier_uniform(),
                            bias_init=init.zeros)

    def __call__(self, X):
        return self.out(nn.relu(self.hidden(X)))
