"""Per-pixel class probabilities: a 1x1 convolution to 3 classes, then a softmax over the channel axis.

This is the head of a fully convolutional network (d2l §14.11): every pixel gets its own class
distribution, so the softmax runs over channels, axis 1 in NCHW. Flax and Keras hold the same feature map
as NHWC, where channels are axis -1; copying PyTorch's ``dim=1`` into them normalises over image rows
instead (the variant ``channel_softmax_axis1``), which runs without any error.
"""

import numpy as np

from harness.spec import Input, Spec, Variant
from specs._ops import no_tap, softmax


def conv1x1(x, weight, bias):
    """A 1x1 convolution is a linear map applied at every pixel: weight (O, I, 1, 1)."""
    return np.einsum("nchw,oc->nohw", x, weight[:, :, 0, 0]) + bias[None, :, None, None]


def channel_softmax(x, p, c, tap=no_tap):
    scores = tap("conv", conv1x1(x, p["conv.weight"], p["conv.bias"]))
    return softmax(scores, axis=1)


SPEC = Spec(
    name="channel_softmax",
    title="1x1 convolution to 3 classes, softmax over channels (per-pixel probabilities)",
    section="14.11 Fully Convolutional Networks",
    model="ChannelSoftmax",
    inputs={"x": Input((2, 4, 5, 6), layout="NCHW")},
    params={"conv.weight": (3, 4, 1, 1), "conv.bias": (3,)},
    output_layout="NCHW",
    reference=channel_softmax,
    taps={"conv": "NCHW"},
    variants=(
        Variant(
            name="channel_softmax_axis1",
            model="ChannelSoftmaxAxis1",
            backends=("flax", "flax_nnx", "keras"),
            expected_tap="output",
            why="Layout changes move the axes: PyTorch's softmax(dim=1) normalises over channels of an NCHW "
            "tensor, but in an NHWC framework axis 1 is the image height. Copying the axis number runs "
            "without error and returns numbers that sum to one, over the wrong axis. Fix: name the axis by "
            "meaning (channels = -1 in NHWC, the default of flax's and Keras's softmax).",
        ),
    ),
)
