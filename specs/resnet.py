"""d2l §8.6: a small ResNet, the stem and the first two residual stages, on 4 images of 1 x 32 x 32.

b1 (the stem): Conv2d(1, 8, 7, stride 2, padding 3) -> BatchNorm -> ReLU -> MaxPool(3, stride 2, padding
1); b2: Residual(8), Residual(8); b3: Residual(16, use_1x1conv=True, strides=2), Residual(16) (see
``residual`` for the block). The output is b3's feature map (4, 16, 4, 4): the book's head (global
average pooling, Flatten, Linear) adds nothing stateful. This is the book's ``ResNet`` with
``arch=((2, 8), (2, 16))``, its first channel count scaled down from 64 to 8, so that the float64
reference and its directional checks stay fast. Its nine BatchNorms are built in: both modes checked,
``state:`` compared for every buffer; the running variances move by the *biased* batch variance (the
spec's choice, as flax, Keras and Gluon), PyTorch's unbiased update being its declared divergence.

Where the book's versions differ: the stages are attributes (``self.b1``, ``self.b2``, ``self.b3``) where
the book's PyTorch adds them to one ``nn.Sequential`` by ``add_module``, which only PyTorch can name
(``net.b2``); the parameters are the same. JAX and TensorFlow pad the stem's convolution and max pooling
'same': on 32 x 32 that pads (2, 3) and (0, 1) where PyTorch pads 3 and 1 on every side, a different
function with the same shapes (``residual`` shows the effect on one block). These realisations pad
explicitly; Keras pads the max pooling with zeros (``ZeroPadding2D``), which after a ReLU never wins
against a real value.
"""

from harness.spec import Input, Param, Spec, ZeroGrad
from specs._ops import batch_norm_layer, conv2d, max_pool2d, no_tap, relu
from specs.residual import params, residual, state

STEM, ARCH = 8, ((2, 8), (2, 16))
BLOCKS = [("b2.0.", 8, 8, False, 1), ("b2.1.", 8, 8, False, 1),
          ("b3.0.", 8, 16, True, 2), ("b3.1.", 16, 16, False, 1)]  # (prefix, in, out, 1x1 conv, stride)


def resnet(x, p, c, tap=no_tap, training=True, state=None):
    new = {}
    y = tap("b1.0", conv2d(x, p["b1.0.weight"], p["b1.0.bias"], (2, 2), ((3, 3), (3, 3))))
    y, new["b1.1.running_mean"], new["b1.1.running_var"] = batch_norm_layer(
        y, p["b1.1.weight"], p["b1.1.bias"], state["b1.1.running_mean"], state["b1.1.running_var"], training)
    y = tap("b1.3", max_pool2d(relu(tap("b1.1", y)), (3, 3), (2, 2), ((1, 1), (1, 1))))
    for prefix, _, _, _, stride in BLOCKS:
        y, moved = residual(y, p, c, tap, training, state, stride, prefix)
        y = tap(prefix[:-1], y)
        new.update(moved)
    return y, new


SPEC = Spec(
    name="resnet",
    title="Small ResNet: stem (conv 7x7/2, BN, ReLU, max-pool 3/2) and two residual stages (8, 16 channels)",
    section="8.6 Residual Networks (ResNet)",
    model="ResNet",
    args={"arch": ARCH, "num_channels": STEM},
    inputs={"x": Input((4, 1, 32, 32), layout="NCHW")},
    output_layout="NCHW",
    params={"b1.0.weight": (STEM, 1, 7, 7),
            "b1.0.bias": Param((STEM,), fan_in=49, zero_grad=ZeroGrad.before_batch_norm("b1.0.weight")),
            "b1.1.weight": Param((STEM,), init="uniform:0.5:1.5"), "b1.1.bias": Param((STEM,), init="normal"),
            **{k: v for prefix, c_in, c, conv3, _ in BLOCKS for k, v in params(c_in, c, conv3, prefix).items()}},
    state={"b1.1.running_mean": Param((STEM,), init="normal"),
           "b1.1.running_var": Param((STEM,), init="uniform:0.5:1.5"),
           **{k: v for prefix, _, c, _, _ in BLOCKS for k, v in state(c, prefix).items()}},
    modes=("train", "eval"),
    taps={"b1.0": "NCHW", "b1.1": "NCHW", "b1.3": "NCHW",
          **{prefix[:-1]: "NCHW" for prefix, *_ in BLOCKS}},
    reference=resnet,
    tolerance={"float32": 1e-4, "float64": 1e-10},
    tolerance_why="float32: BatchNorm shifts' gradients sum up to 1024 terms that largely cancel, through four "
    "residual blocks, so their relative rounding is far above the other gradients'; 1e-4 is still 1e3x below "
    "a porting mistake. float64 is unaffected.",
)
