"""d2l §6.5: ``MyLinear``, a fully connected layer built from raw parameters: relu(X @ weight + bias).

The weight is stored (in_units, units), unlike nn.Linear, and both parameters start from N(0, 1)
(``torch.randn``). The book's PyTorch version reads ``self.weight.data`` and ``self.bias.data``: that
computes the right values but detaches them from autograd, so the parameters get no gradient. It is kept
as the variant ``my_linear_data_attr``, which the harness must report failing on ``grad:weight`` and
``grad:bias``. Each framework spells "the value without its gradient" differently: torch ``.data``
(gradient None), flax ``jax.lax.stop_gradient`` (zeros), Keras ``ops.stop_gradient`` (None) and Gluon
``.data().detach()`` (the gradient buffer is never written). Note that Gluon's plain ``.data()``, which the
book's MXNet version uses, is *not* detached: there it is the right idiom.
"""

from harness.spec import Input, Param, Spec, Variant
from specs._ops import no_tap, relu


def my_linear(x, p, c, tap=no_tap):
    return relu(x @ p["weight"] + p["bias"])


SPEC = Spec(
    name="my_linear",
    title="MyLinear(5, 3): relu(X @ weight + bias) from raw parameters",
    section="6.5 Custom Layers",
    model="MyLinear",
    args={"in_units": 5, "units": 3},
    inputs={"x": Input((2, 5))},
    params={"weight": Param((5, 3), init="normal"), "bias": Param((3,), init="normal")},
    reference=my_linear,
    variants=(
        Variant(
            name="my_linear_data_attr",
            model="MyLinearDataAttr",
            expected_tap="weight",
            why="The layer reads its parameters' values without their gradient (torch `weight.data`, "
            "flax `stop_gradient`, Keras `ops.stop_gradient`, Gluon `.data().detach()`). The forward pass "
            "is right, so output checks pass, but training would never update the layer: the parameter "
            "gradients come back absent or zero. Fix: use the parameter itself (`self.weight`).",
        ),
    ),
)
