"""d2l §6.1: the multilayer perceptron written as a custom module.

Hidden Linear(20, 256) with a ReLU, then an output Linear(256, 10). The book's four versions compute the
same function; Gluon and TensorFlow fold the ReLU into the hidden ``Dense(activation='relu')`` while
PyTorch and JAX apply it in ``forward``.
"""

from harness.spec import Input, Spec
from specs._ops import linear, no_tap, relu


def mlp(x, p, c, tap=no_tap):
    h = relu(tap("hidden", linear(x, p["hidden.weight"], p["hidden.bias"])))
    return linear(h, p["out.weight"], p["out.bias"])


SPEC = Spec(
    name="mlp",
    title="MLP as a custom module: Linear(20, 256), ReLU, Linear(256, 10)",
    section="6.1 Layers and Modules",
    model="MLP",
    inputs={"x": Input((2, 20))},
    params={"hidden.weight": (256, 20), "hidden.bias": (256,), "out.weight": (10, 256), "out.bias": (10,)},
    reference=mlp,
    taps={"hidden": None},
)
