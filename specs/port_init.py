"""d2l §6.3: the §6.1 MLP ported from PyTorch *with* PyTorch's initialisation, and two ways a port loses it.

PyTorch's ``nn.Linear`` draws weight and bias from U(±1/sqrt(fan_in)) (``kaiming_uniform_(a=sqrt(5))``
for the weight; measured by ``compare.py init``); Keras's ``Dense`` defaults to glorot_uniform and zeros,
flax's to lecun_normal and zeros, Gluon's ``initialize()`` to U(±0.07) and zeros. A port that trains like
the original spells PyTorch's initialiser out (a custom initialiser that reads the fan-in from the
kernel's own layout: (in, out) in Keras and flax, (out, in) in Gluon). Two traps, caught on ``init:``:

* ``port_init_defaults``: the Keras and flax ports with the layers' defaults left as they are;
* ``port_init_fan_swapped``: the custom initialiser written for PyTorch's (out, in) layout (``fan_in =
  shape[1]``) applied to a Keras/flax kernel (in, out): it reads the fan-out, U(±1/16) instead of
  U(±1/sqrt(20)) for the hidden layer.
"""

from harness.spec import Input, Param, Spec, Variant
from specs.mlp import mlp

SPEC = Spec(
    name="port_init",
    title="the §6.1 MLP with PyTorch's default initialisation, in every framework",
    section="6.3 Parameter Initialization",
    model="TorchInitMLP",
    inputs={"x": Input((2, 20))},
    params={k: Param(shape, initialised="fan_in_uniform") for k, shape in
            (("hidden.weight", (256, 20)), ("hidden.bias", (256,)), ("out.weight", (10, 256)), ("out.bias", (10,)))},
    reference=mlp,
    taps={"hidden": None},
    variants=(
        Variant(
            name="port_init_defaults",
            model="DefaultsMLP",
            backends=("flax", "flax_nnx", "keras"),
            seen_in="init",
            expected_tap="init:hidden.weight",
            why="A PyTorch model re-implemented with the layers' default initialisers: Keras draws "
            "glorot_uniform kernels and zero biases, flax lecun_normal and zeros, where nn.Linear draws "
            "U(±1/sqrt(fan_in)) for both. Same architecture, other starting point: it trains differently. "
            "Fix: pass PyTorch's initialiser to every layer (kernel and bias).",
        ),
        Variant(
            name="port_init_fan_swapped",
            model="FanSwappedMLP",
            backends=("flax", "flax_nnx", "keras"),
            seen_in="init",
            expected_tap="init:hidden.weight",
            why="A custom initialiser written for PyTorch's (out, in) layout (fan_in = shape[1]) applied to "
            "a Keras/flax kernel, which is (in, out): it reads the fan-out, and the hidden layer draws "
            "U(±1/sqrt(256)) instead of U(±1/sqrt(20)). Fix: fan_in = shape[0] for a Dense kernel "
            "(prod(shape[:-1]) for a conv kernel (kH, kW, I, O)).",
        ),
    ),
)
