"""d2l §6.1: ``MySequential``, a hand-written stand-in for the framework's Sequential container.

Built as MySequential(Linear(20, 256), ReLU, Linear(256, 10)): the children are numbered 0, 1, 2 as
PyTorch's ``add_module(str(idx), ...)`` numbers them, so the parameters are 0.* and 2.*. The Gluon and
TensorFlow versions in the book fold the ReLU into the first Dense; the function is the same.
"""

from harness.spec import Input, Spec
from specs._ops import linear, no_tap, relu


def my_sequential(x, p, c, tap=no_tap):
    x = tap("1", relu(tap("0", linear(x, p["0.weight"], p["0.bias"]))))
    return linear(x, p["2.weight"], p["2.bias"])


SPEC = Spec(
    name="my_sequential",
    title="MySequential(Linear(20, 256), ReLU, Linear(256, 10)): a container written by hand",
    section="6.1 Layers and Modules",
    model="my_sequential",
    inputs={"x": Input((2, 20))},
    params={"0.weight": (256, 20), "0.bias": (256,), "2.weight": (10, 256), "2.bias": (10,)},
    reference=my_sequential,
    taps={"0": None, "1": None},
)
