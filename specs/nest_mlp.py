"""d2l §6.1: ``NestMLP``, a module holding a Sequential and a Linear.

net = Sequential(Linear(20, 64), ReLU, Linear(64, 32), ReLU), then linear = Linear(32, 16), no final
activation. The book's Gluon and TensorFlow versions end in a ReLU (``Dense(16, activation='relu')``);
PyTorch and JAX do not. This spec follows PyTorch.
"""

from harness.spec import Input, Spec
from specs._ops import linear, no_tap, relu


def nest_mlp(x, p, c, tap=no_tap):
    x = relu(tap("net.0", linear(x, p["net.0.weight"], p["net.0.bias"])))
    x = tap("net", relu(tap("net.2", linear(x, p["net.2.weight"], p["net.2.bias"]))))
    return tap("linear", linear(x, p["linear.weight"], p["linear.bias"]))


PARAMS = {
    "net.0.weight": (64, 20), "net.0.bias": (64,),
    "net.2.weight": (32, 64), "net.2.bias": (32,),
    "linear.weight": (16, 32), "linear.bias": (16,),
}

SPEC = Spec(
    name="nest_mlp",
    title="NestMLP: a Sequential inside a module, then Linear(32, 16)",
    section="6.1 Layers and Modules",
    model="NestMLP",
    inputs={"x": Input((2, 20))},
    params=PARAMS,
    reference=nest_mlp,
    taps={"net.0": None, "net.2": None, "net": None, "linear": None},
)
