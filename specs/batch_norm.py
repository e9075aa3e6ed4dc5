"""d2l §8.5: batch normalisation, fully connected case: the book's ``BatchNorm`` and the built-in layers.

Training mode normalises each feature by the batch mean and the *biased* batch variance (eps 1e-5),
then scales and shifts (gamma, beta); it moves the running statistics by PyTorch's convention
``new = (1 - 0.1) * old + 0.1 * batch``, with the biased variance. Evaluation mode normalises by the
running statistics and leaves them alone. Both modes are checked, each with the framework's own switch,
and the statistics after one forward and backward pass are compared as ``state:<buffer>`` (Gluon's
built-in layer moves them in ``backward``).

``batch_norm`` and ``batch_norm_conv`` are the book's from-scratch layer (d2l 1.0.3 text, all four tabs
read), fully connected and convolutional: parameters and statistics of shape (1, C) and (1, C, 1, 1),
the latter held as (1, 1, 1, C) by the NHWC frameworks. Where the book's versions differ from this spec:

* PyTorch decides the mode by ``torch.is_grad_enabled()``, so under ``.eval()`` with gradients on (any
  evaluation-mode gradient, as here) it silently normalises by the batch: kept as the variant
  ``batch_norm_grad_enabled``. This
  realisation reads ``self.training``.
* MXNet uses eps = 1e-12: the output moves below the float32 tolerance, which only float64 sees; the
  moving statistics not at all. Its mode switch, ``autograd.is_training()``,
  is kept as written.
* JAX writes the update as ``0.9 * old + 0.1 * batch`` (flax's convention, the same numbers) and marks
  the mode by a ``deterministic`` field, kept here. Its convolutional case averages over axes (0, 2, 3)
  of an NHWC map, copied from the NCHW tabs: batch, width and channels, so it normalises per row (0.17
  relative off ``batch_norm_conv`` here) and its moving statistics grow from (1, 1, 1, C) to
  (1, H, 1, C). This realisation averages over (0, 1, 2). TensorFlow stores (C,) vectors and needs
  ``add_update``/``tf.function`` that Keras 3 no longer has: this realisation keeps its (1, C) shape and
  assigns the moving statistics directly.

``batch_norm_concise`` is each framework's own layer, every hyper-parameter written out: momentum 0.1 in
PyTorch's convention is 0.9 in flax's, Keras's and Gluon's (``new = 0.9 * old + 0.1 * batch``), and eps is
1e-5 everywhere, Keras's default being 1e-3. PyTorch alone updates ``running_var`` with the *unbiased*
batch variance (n / (n - 1) times the biased one), and no option changes that: it is a declared
divergence of torch (``backends/torch/__init__.py``), of size momentum * var / (n - 1) with n = 8 rows.
Keras's default eps moves every output (the variant ``batch_norm_keras_eps``).
"""

from harness.spec import Input, Param, Spec, Variant
from specs._ops import batch_norm as bn_op
from specs._ops import batch_norm_layer, no_tap

C, N = 6, 8


def batch_norm(x, p, c, tap=no_tap, training=True, state=None):
    y, mean, var = bn_op(x, p["gamma"], p["beta"], state["moving_mean"], state["moving_var"],
                         eps=1e-5, momentum=0.1, training=training)
    return y, {"moving_mean": mean, "moving_var": var}


def batch_norm_concise(x, p, c, tap=no_tap, training=True, state=None):
    y, mean, var = batch_norm_layer(x, p["weight"], p["bias"], state["running_mean"], state["running_var"],
                                    training)
    return y, {"running_mean": mean, "running_var": var}


SCALE = Param((C,), init="uniform:0.5:1.5")  # gamma away from 0, so every feature takes part
VARIANCE = Param((C,), init="uniform:0.5:1.5")  # a running variance is positive

SPECS = [
    Spec(
        name="batch_norm",
        title="BatchNorm from scratch, fully connected: batch statistics, moving averages (1, 6)",
        section="8.5 Batch Normalization",
        model="BatchNorm",
        args={"num_features": C, "num_dims": 2},
        inputs={"x": Input((N, C))},
        params={"gamma": Param((1, C), init="uniform:0.5:1.5"), "beta": Param((1, C), init="normal")},
        state={"moving_mean": Param((1, C), init="normal"), "moving_var": Param((1, C), init="uniform:0.5:1.5")},
        modes=("train", "eval"),
        reference=batch_norm,
        variants=(
            Variant(
                name="batch_norm_grad_enabled",
                model="BatchNormGradEnabled",
                backends=("torch",),
                expected_tap="output",
                why="The book's PyTorch batch_norm picks the mode by torch.is_grad_enabled(), not by "
                "module.training. Under .eval() with gradients on it normalises by the batch and moves "
                "the statistics: the evaluation output is wrong. Fix: pass self.training.",
            ),
            Variant(
                name="batch_norm_unbiased_var",
                model="BatchNormUnbiasedVar",
                backends=("torch",),
                expected_tap="output",
                why="A port that writes X.var(dim=0): torch's var is unbiased by default (numpy's, jax's, "
                "TensorFlow's and MXNet's are not), so training mode normalises by n/(n-1) times the "
                "batch variance and moves moving_var by it. Fix: X.var(dim=0, unbiased=False), or the "
                "book's ((X - mean) ** 2).mean(dim=0).",
            ),
        ),
    ),
    Spec(
        name="batch_norm_conv",
        title="BatchNorm from scratch, convolutional: statistics per channel of a (4, 3, 5, 5) map",
        section="8.5 Batch Normalization",
        model="BatchNorm",
        args={"num_features": 3, "num_dims": 4},
        inputs={"x": Input((4, 3, 5, 5), layout="NCHW")},
        output_layout="NCHW",
        params={"gamma": Param((1, 3, 1, 1), init="uniform:0.5:1.5", layout="NCHW"),
                "beta": Param((1, 3, 1, 1), init="normal", layout="NCHW")},
        state={"moving_mean": Param((1, 3, 1, 1), init="normal", layout="NCHW"),
               "moving_var": Param((1, 3, 1, 1), init="uniform:0.5:1.5", layout="NCHW")},
        modes=("train", "eval"),
        reference=batch_norm,
    ),
    Spec(
        name="batch_norm_concise",
        title="Built-in BatchNorm layer over 6 features: eps 1e-5, momentum 0.1 (PyTorch convention)",
        section="8.5 Batch Normalization",
        model="batch_norm_concise",
        inputs={"x": Input((N, C))},
        params={"weight": SCALE, "bias": Param((C,), init="normal")},
        state={"running_mean": Param((C,), init="normal"), "running_var": VARIANCE},
        modes=("train", "eval"),
        reference=batch_norm_concise,
        variants=(
            Variant(
                name="batch_norm_momentum_unconverted",
                model="batch_norm_momentum_unconverted",
                backends=("flax", "flax_nnx", "keras", "gluon"),
                expected_tap="running_mean",  # outputs and gradients agree: the first diverging buffer
                why="PyTorch's momentum=0.1 copied as is: flax, Keras and Gluon weight the *old* statistics "
                "by momentum, so the running statistics move 90% of the way to the batch instead of 10%. "
                "Outputs and gradients are right; only state:running_mean/running_var after a training "
                "step show it. Fix: momentum = 1 - 0.1 = 0.9.",
            ),
            Variant(
                name="batch_norm_keras_eps",
                model="batch_norm_default_eps",
                backends=("keras",),
                expected_tap="output",
                why="Keras's BatchNormalization left at its default epsilon=1e-3 (PyTorch, flax and Gluon: "
                "1e-5): every output moves, by 4.8e-4 (training) and 9.6e-4 (evaluation) relative here. "
                "Fix: epsilon=1e-5.",
            ),
        ),
    ),
]
