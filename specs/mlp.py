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
    tolerance={"float32": 1e-5, "float64": 1e-10},
    taps={"hidden": None},
    tolerance_why="float32 dot products of 20 and 256 terms round to ~3e-7 relative (measured); 1e-5 "
    "leaves 30x headroom and is still 1e4x below what one wrong weight does. float64 rounds to ~1e-15.",
)
