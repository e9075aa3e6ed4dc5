"""d2l §8.6: the residual block, ``Residual(num_channels, use_1x1conv, strides)``.

Y = relu(bn1(conv1(X))), conv1 3x3 with padding 1 and stride ``strides``; Y = bn2(conv2(Y)), conv2 3x3
with padding 1; the shortcut is X itself, or conv3(X), a 1x1 convolution with stride ``strides``, when
the channels or the size change; the output is relu(Y + shortcut). Both BatchNorms are built in (eps
1e-5, momentum 0.1 in PyTorch's convention), so both modes are checked and ``state:bn1.*``/``bn2.*``
compared. In training the running variance moves by the *biased* batch variance (the spec's choice, as
flax, Keras, Gluon and the book's from-scratch ``BatchNorm`` do); PyTorch's built-in layers use the
unbiased one, declared as its divergence on ``state:bn?.running_var``. Three cases, as the book shows
them: ``Residual(3)`` (identity shortcut), ``Residual(6, use_1x1conv=True)`` and ``Residual(6,
use_1x1conv=True, strides=2)``, on 4 maps of 3 x 6 x 6.

Where the book's versions differ: JAX and TensorFlow write conv1 with padding 'same', which at stride 2 on
an even size pads (0, 1), not (1, 1) (``docs/conventions/conv.md`` T3): same output shape, and
every output of the stride-2 block moves by O(1). Kept as the
variant ``residual_same_padding``; these realisations pad 1 on every side (Keras with ``ZeroPadding2D(1)``).
TensorFlow's BatchNormalization is also left at eps 1e-3, momentum 0.99 (see ``bn_lenet``). conv1's and
conv2's biases feed a BatchNorm: their gradients vanish in training (``ZeroGrad.before_batch_norm``).
"""

from harness.spec import Input, Param, Spec, Variant, ZeroGrad
from specs._ops import batch_norm_layer, conv2d, no_tap, relu

N, C, HW = 4, 3, 6


def residual(x, p, c, tap=no_tap, training=True, state=None, stride=1, prefix=""):
    """One residual block; ``prefix`` names its parameters inside a larger network (``b2.0.``)."""
    new = {}
    pad = ((1, 1), (1, 1))

    def bn(name, y):
        k = f"{prefix}{name}."
        out, new[k + "running_mean"], new[k + "running_var"] = batch_norm_layer(
            y, p[k + "weight"], p[k + "bias"], state[k + "running_mean"], state[k + "running_var"], training)
        return out

    y = tap(f"{prefix}conv1", conv2d(x, p[f"{prefix}conv1.weight"], p[f"{prefix}conv1.bias"], (stride, stride), pad))
    y = relu(tap(f"{prefix}bn1", bn("bn1", y)))
    y = tap(f"{prefix}conv2", conv2d(y, p[f"{prefix}conv2.weight"], p[f"{prefix}conv2.bias"], (1, 1), pad))
    y = tap(f"{prefix}bn2", bn("bn2", y))
    if f"{prefix}conv3.weight" in p:
        x = tap(f"{prefix}conv3", conv2d(x, p[f"{prefix}conv3.weight"], p[f"{prefix}conv3.bias"], (stride, stride)))
    return relu(y + x), new


def params(c_in, c, use_1x1conv, prefix=""):
    before_bn = {n: ZeroGrad.before_batch_norm(f"{prefix}{n}.weight") for n in ("conv1", "conv2")}
    out = {f"{prefix}conv1.weight": (c, c_in, 3, 3),
           f"{prefix}conv1.bias": Param((c,), fan_in=c_in * 9, zero_grad=before_bn["conv1"]),
           f"{prefix}conv2.weight": (c, c, 3, 3),
           f"{prefix}conv2.bias": Param((c,), fan_in=c * 9, zero_grad=before_bn["conv2"])}
    if use_1x1conv:
        out.update({f"{prefix}conv3.weight": (c, c_in, 1, 1), f"{prefix}conv3.bias": Param((c,), fan_in=c_in)})
    for bn in ("bn1", "bn2"):
        out.update({f"{prefix}{bn}.weight": Param((c,), init="uniform:0.5:1.5"),
                    f"{prefix}{bn}.bias": Param((c,), init="normal")})
    return out


def state(c, prefix=""):
    return {f"{prefix}{bn}.{n}": Param((c,), init=init) for bn in ("bn1", "bn2")
            for n, init in (("running_mean", "normal"), ("running_var", "uniform:0.5:1.5"))}


def taps(use_1x1conv, prefix=""):
    names = ["conv1", "bn1", "conv2", "bn2", *(["conv3"] if use_1x1conv else [])]
    return {f"{prefix}{n}": "NCHW" for n in names}


def case(name, c, use_1x1conv, stride, title, variants=()):
    def reference(x, p, consts, tap=no_tap, training=True, state=None):
        return residual(x, p, consts, tap, training, state, stride)

    return Spec(
        name=name,
        title=title,
        section="8.6 Residual Networks (ResNet)",
        model="Residual",
        args={"num_channels": c, "use_1x1conv": use_1x1conv, "strides": stride},
        inputs={"x": Input((N, C, HW, HW), layout="NCHW")},
        output_layout="NCHW",
        params=params(C, c, use_1x1conv),
        state=state(c),
        modes=("train", "eval"),
        taps=taps(use_1x1conv),
        reference=reference,
        tolerance={"float32": 1e-4, "float64": 1e-10},
        tolerance_why="float32: a BatchNorm shift's gradient sums 4 x 6 x 6 = 144 terms that largely cancel, "
        "so its relative rounding is far above the other gradients'; 1e-4 is still 1e3x below a porting "
        "mistake. float64 is unaffected.",
        variants=variants,
    )


SPECS = [
    case("residual", 3, False, 1, "Residual(3): identity shortcut, 3 x 6 x 6 maps"),
    case("residual_1x1", 6, True, 1, "Residual(6, use_1x1conv=True): a 1x1 convolution on the shortcut"),
    case("residual_1x1_s2", 6, True, 2, "Residual(6, use_1x1conv=True, strides=2): halves the size",
         variants=(Variant(
             name="residual_same_padding",
             model="ResidualSamePadding",
             backends=("flax", "flax_nnx", "keras"),
             expected_tap="conv1",
             why="conv1 written with padding 'same', as the book's JAX and TensorFlow versions do. At stride 2 "
             "on an even size 'same' pads (0, 1) where PyTorch's padding=1 pads (1, 1): the shapes agree and "
             "every value is off. Fix: pad 1 on every side explicitly.",
         ),)),
]
