"""d2l §6.1: ``FixedHiddenMLP``, a constant weight, a reused layer and Python control flow in forward.

X = linear(X); X = relu(X @ rand_weight + 1); X = linear(X) (the same layer, so shared parameters);
then ``while |X|.sum() > 1: X = X / 2``, and the output is the scalar X.sum(). ``rand_weight`` is a
constant (U(0, 1), as ``torch.rand``): not a parameter, no gradient. Every realisation keeps the
data-dependent ``while`` loop, which is why none of them can be traced/jitted as written.

The book's versions differ (verified with the d2l 1.0.3 classes): Gluon reuses ``Dense(20,
activation='relu')`` (a ReLU after both linear calls), TensorFlow replaces the first dense call by a
Flatten, and the JAX class does not define on Python 3.11 (a jax array as a dataclass default). This spec
follows the PyTorch text, which the JAX version matches once the constant is passed in.
"""

import numpy as np

from harness.spec import Input, Spec
from specs._ops import linear, no_tap, relu


def fixed_hidden_mlp(x, p, c, tap=no_tap):
    x = tap("linear", linear(x, p["linear.weight"], p["linear.bias"]))  # the first of two calls
    x = relu(x @ c["rand_weight"] + 1)
    x = linear(x, p["linear.weight"], p["linear.bias"])
    while np.abs(x).sum() > 1:
        x = x / 2
    return x.sum()


SPEC = Spec(
    name="fixed_hidden_mlp",
    title="FixedHiddenMLP: a constant weight, a shared layer and a while loop; scalar output",
    section="6.1 Layers and Modules",
    model="FixedHiddenMLP",
    inputs={"x": Input((2, 20))},
    params={"linear.weight": (20, 20), "linear.bias": (20,)},
    constants={"rand_weight": (20, 20)},
    reference=fixed_hidden_mlp,
    taps={"linear": None},
    tolerance_why="the loop keeps |X|.sum() <= 1, so the scalar is a sum of 40 terms of |x| <= 1. The loop "
    "count is the same in float32 and float64 unless |X|.sum() lands "
    "within float32 rounding of a power of two (then the output would differ by 2x, reported as a failure).",
)
