"""d2l §8.5.4-8.5.5: LeNet with batch normalisation, with the book's from-scratch layer and built in.

net: Conv2d(1, 6, 5) -> BatchNorm -> sigmoid -> AvgPool(2, 2) -> Conv2d(6, 16, 5) -> BatchNorm -> sigmoid
-> AvgPool(2, 2) -> Flatten (16 x 4 x 4 = 256, in (C, H, W) order) -> Linear(256, 120) -> BatchNorm ->
sigmoid -> Linear(120, 84) -> BatchNorm -> sigmoid -> Linear(84, 10), on 8 images of 1 x 28 x 28. Every
BatchNorm normalises by the batch in training (the biased variance, eps 1e-5) and moves its statistics
by PyTorch's convention with momentum 0.1; evaluation uses the running statistics. Both modes are
checked and the statistics compared as ``state:net.<i>.<buffer>`` after one forward and backward pass.
Parameter names follow the PyTorch ``nn.Sequential`` numbering; Keras and Gluon cannot fold the sigmoid
into the layer before it (a BatchNorm sits between), so each is its own ``Activation`` and the numbers
agree without rule 3.

The book's versions, where they differ from this spec: the from-scratch layer as in ``batch_norm``;
MXNet has no Flatten (one is added, for the numbering); TensorFlow's ``BNLeNet`` leaves
``BatchNormalization`` at Keras's defaults (eps 1e-3, momentum 0.99 in Keras's convention), kept as the
variant ``bn_lenet_keras_defaults``. PyTorch's built-in layers update ``running_var`` with the unbiased
variance (declared, ``backends/torch``), and Gluon's built-in BatchNorm returns the training formula's
input gradient in prediction mode, which reaches every gradient upstream of it (declared,
``backends/gluon``).
"""

from harness.spec import Input, Param, Spec, Variant, ZeroGrad
from specs._ops import avg_pool2d, batch_norm, batch_norm_layer, conv2d, flatten, linear, no_tap, sigmoid

N = 8
BN = {1: (6, 4), 5: (16, 4), 10: (120, 2), 13: (84, 2)}  # position -> (features, num_dims)
WEIGHTS = {"net.0.weight": (6, 1, 5, 5), "net.0.bias": (6,), "net.4.weight": (16, 6, 5, 5), "net.4.bias": (16,),
           "net.9.weight": Param((120, 256), flattened_from=(16, 4, 4)), "net.9.bias": (120,),
           "net.12.weight": (84, 120), "net.12.bias": (84,), "net.15.weight": (10, 84), "net.15.bias": (10,)}
# The bias of a layer that a BatchNorm follows: in training the batch mean removes it, gradient 0.
WEIGHTS |= {f"net.{i}.bias": Param((n,), zero_grad=ZeroGrad.before_batch_norm(f"net.{i}.weight"))
            for i, n in ((0, 6), (4, 16), (9, 120), (12, 84))}
TAPS = {"net.0": "NCHW", "net.1": "NCHW", "net.4": "NCHW", "net.5": "NCHW", "net.9": None, "net.10": None,
        "net.12": None, "net.13": None, "net.15": None}


def lenet_bn(x, p, c, tap, norm):
    """The network, with ``norm(i, x)`` the BatchNorm at position i."""
    x = tap("net.0", conv2d(x, p["net.0.weight"], p["net.0.bias"]))
    x = avg_pool2d(sigmoid(tap("net.1", norm(1, x))), (2, 2), (2, 2))
    x = tap("net.4", conv2d(x, p["net.4.weight"], p["net.4.bias"]))
    x = flatten(avg_pool2d(sigmoid(tap("net.5", norm(5, x))), (2, 2), (2, 2)))
    x = sigmoid(tap("net.10", norm(10, tap("net.9", linear(x, p["net.9.weight"], p["net.9.bias"])))))
    x = sigmoid(tap("net.13", norm(13, tap("net.12", linear(x, p["net.12.weight"], p["net.12.bias"])))))
    return tap("net.15", linear(x, p["net.15.weight"], p["net.15.bias"]))


def bn_lenet_scratch(x, p, c, tap=no_tap, training=True, state=None):
    new = {}

    def norm(i, x):
        y, new[f"net.{i}.moving_mean"], new[f"net.{i}.moving_var"] = batch_norm(
            x, p[f"net.{i}.gamma"], p[f"net.{i}.beta"], state[f"net.{i}.moving_mean"],
            state[f"net.{i}.moving_var"], eps=1e-5, momentum=0.1, training=training)
        return y

    return lenet_bn(x, p, c, tap, norm), new


def bn_lenet(x, p, c, tap=no_tap, training=True, state=None):
    new = {}

    def norm(i, x):
        y, new[f"net.{i}.running_mean"], new[f"net.{i}.running_var"] = batch_norm_layer(
            x, p[f"net.{i}.weight"], p[f"net.{i}.bias"], state[f"net.{i}.running_mean"],
            state[f"net.{i}.running_var"], training)
        return y

    return lenet_bn(x, p, c, tap, norm), new


def scratch_shape(i):
    c, dims = BN[i]
    return Param((1, c) if dims == 2 else (1, c, 1, 1), layout=None if dims == 2 else "NCHW")


def drawn(shape: Param, init: str) -> Param:
    return Param(shape.shape, init=init, layout=shape.layout)


TOLERANCE = {"float32": 1e-4, "float64": 1e-10}
TOLERANCE_WHY = ("float32: a BatchNorm shift's gradient sums 8 x 24 x 24 = 4608 terms that largely cancel, so "
                 "its relative rounding is far above the other gradients'; 1e-4 is still 1e3x below a porting "
                 "mistake. float64 is unaffected.")

SPECS = [
    Spec(
        name="bn_lenet_scratch",
        title="LeNet with the book's from-scratch BatchNorm after each conv and linear layer",
        section="8.5 Batch Normalization",
        model="BNLeNetScratch",
        inputs={"x": Input((N, 1, 28, 28), layout="NCHW")},
        params={**WEIGHTS,
                **{f"net.{i}.{n}": drawn(scratch_shape(i), init) for i in BN
                   for n, init in (("gamma", "uniform:0.5:1.5"), ("beta", "normal"))}},
        state={f"net.{i}.{n}": drawn(scratch_shape(i), init) for i in BN
               for n, init in (("moving_mean", "normal"), ("moving_var", "uniform:0.5:1.5"))},
        modes=("train", "eval"),
        taps=TAPS,
        reference=bn_lenet_scratch,
        tolerance=TOLERANCE,
        tolerance_why=TOLERANCE_WHY,
    ),
    Spec(
        name="bn_lenet",
        title="LeNet with each framework's built-in BatchNorm (eps 1e-5, momentum 0.1 in PyTorch's convention)",
        section="8.5 Batch Normalization",
        model="BNLeNet",
        inputs={"x": Input((N, 1, 28, 28), layout="NCHW")},
        params={**WEIGHTS,
                **{f"net.{i}.{n}": Param((BN[i][0],), init=init) for i in BN
                   for n, init in (("weight", "uniform:0.5:1.5"), ("bias", "normal"))}},
        state={f"net.{i}.{n}": Param((BN[i][0],), init=init) for i in BN
               for n, init in (("running_mean", "normal"), ("running_var", "uniform:0.5:1.5"))},
        modes=("train", "eval"),
        taps=TAPS,
        reference=bn_lenet,
        tolerance=TOLERANCE,
        tolerance_why=TOLERANCE_WHY,
        variants=(
            Variant(
                name="bn_lenet_keras_defaults",
                model="BNLeNetKerasDefaults",
                backends=("keras",),
                expected_tap="net.1",
                why="The book's TensorFlow BNLeNet leaves BatchNormalization() at Keras's defaults: epsilon "
                "1e-3 instead of 1e-5, and momentum 0.99 (Keras's convention) where PyTorch's 0.1 is 0.9. "
                "The first BatchNorm's output already moves. Fix: BatchNormalization(momentum=0.9, "
                "epsilon=1e-5).",
            ),
        ),
    ),
]
