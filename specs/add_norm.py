"""d2l §11.7: the residual connection and layer normalisation, ``AddNorm``: LayerNorm(Y + X).

Over the last axis (4 features of (2, 3, 4)), with epsilon 1e-5 inside the square root and the biased
variance, then ``ln.weight`` and ``ln.bias``; evaluation mode: dropout on Y, p = 0.5, is the identity,
which the exact match checks. Every realisation sets epsilon 1e-5 explicitly: the defaults are 1e-5
(PyTorch, Gluon), 1e-6 (flax) and 1e-3 (Keras); flax also gets ``use_fast_variance=False``
(E[x^2] - E[x]^2 loses precision).

The book's four versions differ, relative to the spec on its data: JAX's ``nn.LayerNorm()`` keeps
flax's 1e-6 (below the float32 tolerance, so only float64 sees it: the variant
``add_norm_eps_default``), TensorFlow's keeps Keras's 1e-3, and TensorFlow's ``norm_shape``
argument is the *axis* of ``LayerNormalization``: the book's §11.7 TensorFlow demo passes ``[1, 2]``,
normalising over time and features together.
"""

from harness.spec import Input, Param, Spec, Variant
from specs import _attention
from specs._ops import no_tap


def add_norm(X, Y, p, c, tap=no_tap):
    return _attention.add_norm(X, Y, p, "")


SPEC = Spec(
    name="add_norm",
    title="AddNorm: LayerNorm(Y + X) over 4 features, epsilon 1e-5",
    section="11.7 The Transformer Architecture",
    model="AddNorm",
    args={"norm_shape": 4, "dropout": 0.5},
    inputs={"X": Input((2, 3, 4)), "Y": Input((2, 3, 4))},
    params={"ln.weight": Param((4,), init="normal"), "ln.bias": Param((4,), init="normal")},
    reference=add_norm,
    variants=(
        Variant(
            name="add_norm_eps_default",
            model="AddNormDefaultEpsilon",
            backends=("flax", "flax_nnx"),
            dtype="float64",
            missed_in=("float32",),
            expected_tap="output",
            why="LayerNorm's epsilon is 1e-5 in PyTorch and Gluon, 1e-6 in flax and 1e-3 in Keras; the book's JAX "
            "AddNorm keeps flax's default. The outputs move by 4.1e-6 (relative) here, under the float32 "
            "tolerance: only a float64 run sees it. Fix: nn.LayerNorm(epsilon=1e-5).",
        ),
    ),
)
