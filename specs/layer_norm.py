"""d2l §8.5.2 (layer normalisation), as used by §11.7's AddNorm: each framework's built-in LayerNorm.

Each row of 16 features is normalised by its own mean and *biased* variance, with eps = 1e-5 set by
this spec, then scaled and shifted elementwise (weight, bias: 16 values each). It behaves the same in
training and evaluation, so it is checked once. The defaults differ (``docs/conventions/conv.md`` T14):
eps is 1e-5 in PyTorch and Gluon, 1e-6 in flax and 1e-3 in Keras, and flax computes the variance as
E[x²] - E[x]² unless ``use_fast_variance=False``; every realisation writes both out. The book's AddNorm
leaves them at the defaults: Keras's eps moves every output (kept as the variant
``layer_norm_keras_eps``), flax's less than the float32 tolerance here, which is why the
realisations set the epsilon rather than trusting a tolerance to see it (float64 does see it).
"""


from harness.spec import Input, Param, Spec, Variant
from specs import _ops
from specs._ops import no_tap


def layer_norm(x, p, c, tap=no_tap, eps=1e-5):
    return _ops.layer_norm(x, p["weight"], p["bias"], eps)


SPEC = Spec(
    name="layer_norm",
    title="Built-in LayerNorm over the last 16 features, eps 1e-5",
    section="8.5 Batch Normalization",
    model="layer_norm",
    inputs={"x": Input((4, 16))},
    params={"weight": Param((16,), init="uniform:0.5:1.5"), "bias": Param((16,), init="normal")},
    reference=layer_norm,
    variants=(
        Variant(
            name="layer_norm_keras_eps",
            model="layer_norm_default_eps",
            backends=("keras",),
            expected_tap="output",
            why="Keras's LayerNormalization left at its default epsilon=1e-3 (PyTorch and Gluon 1e-5, flax "
            "1e-6): every output moves, by 7.0e-4 relative here. Fix: epsilon=1e-5.",
        ),
        Variant(
            name="layer_norm_flax_eps",
            model="layer_norm_default_eps",
            backends=("flax", "flax_nnx"),
            expected_tap="output",
            dtype="float64",
            missed_in=("float32",),
            why="flax's nn.LayerNorm left at its defaults: epsilon=1e-6 (PyTorch and Gluon 1e-5) and "
            "use_fast_variance=True. The output moves by 6.4e-6 relative here: under the float32 tolerance, "
            "so only a float64 run sees it. Fix: epsilon=1e-5, use_fast_variance=False.",
        ),
    ),
)
