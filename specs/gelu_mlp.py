"""An MLP with a GELU activation: Linear(20, 64), GELU, Linear(64, 10) (d2l §5.1 lists GELU among the
activations; §11.7's position-wise feed-forward networks use it in later Transformers).

The spec's GELU is the exact form, x * Phi(x) with Phi the standard normal CDF (``torch.nn.GELU()``,
``keras.activations.gelu``, Gluon ``nn.GELU()``). Flax's ``nn.gelu`` and ``keras.ops.gelu`` default to the
tanh approximation 0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3))), which differs by up to 4.73e-4 (at
|x| = 2.70): the realisations therefore pass ``approximate=False`` where the default is the other form,
and leaving the default is the variant ``gelu_mlp_tanh``, which float32 catches too.
"""

import math

import numpy as np

from harness.spec import Input, Spec, Variant
from specs._ops import linear, no_tap


def gelu(x):
    """Exact GELU, x * Phi(x), with Phi(x) = (1 + erf(x / sqrt(2))) / 2."""
    erf = np.vectorize(math.erf, otypes=[np.float64])
    return x * 0.5 * (1.0 + erf(x / math.sqrt(2.0)))


def gelu_mlp(x, p, c, tap=no_tap):
    h = gelu(tap("hidden", linear(x, p["hidden.weight"], p["hidden.bias"])))
    return linear(h, p["out.weight"], p["out.bias"])


SPEC = Spec(
    name="gelu_mlp",
    title="MLP with the exact GELU: Linear(20, 64), GELU, Linear(64, 10)",
    section="5.1 Multilayer Perceptrons",
    model="GeluMLP",
    inputs={"x": Input((4, 20))},
    params={"hidden.weight": (64, 20), "hidden.bias": (64,), "out.weight": (10, 64), "out.bias": (10,)},
    reference=gelu_mlp,
    taps={"hidden": None},
    tolerance_why="each framework's erf is accurate to float32/float64 rounding; the tanh approximation "
    "differs from it by up to 4.7e-4 (absolute, a property of the two formulas), far outside.",
    variants=(
        Variant(
            name="gelu_mlp_tanh",
            model="GeluMLPTanh",
            backends=("flax", "flax_nnx", "keras"),
            expected_tap="output",
            why="GELU has two forms: the exact x*Phi(x) (PyTorch's nn.GELU(), Keras's activations.gelu, "
            "Gluon's nn.GELU()) and the tanh approximation, which is what flax's nn.gelu and keras.ops.gelu "
            "compute unless told approximate=False. They differ by up to 4.7e-4 per activation, which looks "
            "like rounding noise but is a different function: a port that keeps the framework's default "
            "silently changes the model. Fix: pass approximate=False (or approximate='tanh' in PyTorch if "
            "the original used the approximation).",
        ),
    ),
)
