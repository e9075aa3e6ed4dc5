"""A user's block with the least a spec needs: a name, the model's class, inputs, parameters, a reference."""

import numpy as np

from harness.spec import Input, Spec


def tanh_mlp(x, p, c, tap=lambda name, value: value):
    h = tap("hidden", x @ p["hidden.weight"].T + p["hidden.bias"])
    return np.tanh(h) @ p["out.weight"].T + p["out.bias"]


SPEC = Spec(
    name="user_tanh_mlp",
    model="TanhMLP",
    inputs={"x": Input((3, 6))},
    params={"hidden.weight": (8, 6), "hidden.bias": (8,), "out.weight": (4, 8), "out.bias": (4,)},
    reference=tanh_mlp,
    taps={"hidden": None},
)
