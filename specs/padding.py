"""d2l §7.3: padding and stride, on one 1-channel 8x8 map per example (batch of 2), one output channel.

* ``conv_pad1``: 3x3 kernel, 1 zero row/column on every side: the output keeps 8x8.
* ``conv_pad_5x3``: 5x3 kernel, padding (2, 1): 2 rows above and below, 1 column left and right: 8x8.
* ``conv_stride2``: 3x3 kernel, padding 1, stride 2: 4x4, windows starting at -1, 1, 3, 5.

Padding here is explicit and symmetric, as PyTorch, JAX and MXNet write it in the book. The book's
TensorFlow versions write ``padding='same'`` instead: equal for the first two (a 3x3 or 5x3 kernel at
stride 1 pads (1, 1) and (2, 2)/(1, 1)), but *not* at stride 2 on an even size, where 'same' pads 0 before
and 1 after: ``conv_stride2`` realised that way has the same 4x4 shape and differs by max |Δ| 1.96 on
outputs of at most 0.95 (2.1 relative, seed 0). ``conv_same_stride2`` (padding_same.py) is that
convention, with this one as its trap. Keras realises these explicitly: ``ZeroPadding2D`` then a 'valid' convolution.
"""

from harness.spec import Input, Spec
from specs._ops import conv2d, no_tap


def conv_pad1(x, p, c, tap=no_tap):
    return tap("conv", conv2d(x, p["conv.weight"], p["conv.bias"], padding=((1, 1), (1, 1))))


def conv_pad_5x3(x, p, c, tap=no_tap):  # 2 rows above and below, 1 column left and right
    return tap("conv", conv2d(x, p["conv.weight"], p["conv.bias"], padding=((2, 2), (1, 1))))


def conv_stride2(x, p, c, tap=no_tap):
    return tap("conv", conv2d(x, p["conv.weight"], p["conv.bias"], stride=(2, 2), padding=((1, 1), (1, 1))))


def spec(name, title, kernel_size, padding, stride, out, reference):
    return Spec(
        name=name,
        title=title,
        section="7.3 Padding and Stride",
        model="PaddedConv",
        args={"kernel_size": kernel_size, "padding": padding, "stride": stride},
        inputs={"x": Input((2, 1, 8, 8), layout="NCHW")},
        params={"conv.weight": (1, 1, *kernel_size), "conv.bias": (1,)},
        taps={"conv": "NCHW"},
        output_layout="NCHW",
        reference=reference,
    )


SPECS = [
    spec("conv_pad1", "Conv 3x3, padding 1: 8x8 stays 8x8", (3, 3), (1, 1), (1, 1), "8x8", conv_pad1),
    spec("conv_pad_5x3", "Conv 5x3, padding (2, 1): 8x8 stays 8x8", (5, 3), (2, 1), (1, 1), "8x8",
         conv_pad_5x3),
    spec("conv_stride2", "Conv 3x3, padding 1, stride 2: 8x8 -> 4x4", (3, 3), (1, 1), (2, 2), "4x4",
         conv_stride2),
]
