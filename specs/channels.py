"""d2l §7.4: multiple input and output channels, and the 1x1 convolution. No bias, as in the book.

* ``conv_multi_channel``: 2 input channels -> 3 output channels, 2x2 kernel, on 3x3 maps -> 2x2.
  Each output channel sums, over the input channels, the cross-correlation of that channel with its own
  2x2 kernel: the weight is (O, I, kH, kW) = (3, 2, 2, 2).
* ``conv_1x1``: 3 -> 2 channels with a 1x1 kernel on 3x3 maps: at every pixel, a fully connected layer
  across channels. The reference is written that way (a matrix product over the channel axis), as the
  book's ``corr2d_multi_in_out_1x1`` does.

The book computes these with its own ``corr2d`` functions; the realisations use each framework's
convolution layer with ``bias=False``, which is the same function. With C = H = W = 3 in ``conv_1x1``,
feeding NCHW data to an NHWC framework runs without complaint and is wrong (tests/test_conv.py).
"""

import numpy as np

from harness.spec import Input, Spec
from specs._ops import conv2d, no_tap


def multi_channel(x, p, c, tap=no_tap):
    return tap("conv", conv2d(x, p["conv.weight"]))


def conv_1x1(x, p, c, tap=no_tap):
    w = p["conv.weight"][:, :, 0, 0]  # (O, I): a fully connected layer across channels
    return tap("conv", np.einsum("oi,nihw->nohw", w, x))


def spec(name, title, in_channels, out_channels, kernel_size, reference):
    return Spec(
        name=name,
        title=title,
        section="7.4 Multiple Input and Multiple Output Channels",
        model="MultiChannelConv",
        args={"out_channels": out_channels, "kernel_size": kernel_size},
        inputs={"x": Input((2, in_channels, 3, 3), layout="NCHW")},
        params={"conv.weight": (out_channels, in_channels, *kernel_size)},
        taps={"conv": "NCHW"},
        output_layout="NCHW",
        reference=reference,
    )


SPECS = [
    spec("conv_multi_channel", "Conv 2x2, 2 -> 3 channels, no bias: each output sums over inputs",
         2, 3, (2, 2), multi_channel),
    spec("conv_1x1", "Conv 1x1, 3 -> 2 channels, no bias: a Linear across channels at each pixel",
         3, 2, (1, 1), conv_1x1),
]
