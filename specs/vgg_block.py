"""d2l §8.2: a VGG block, ``vgg_block(num_convs=2, out_channels=8)`` on (2, 3, 8, 8) -> (2, 8, 4, 4).

Two 3x3 convolutions with padding 1 (8x8 stays 8x8), each followed by a ReLU, then a 2x2 max pool with
stride 2. Names follow PyTorch's ``nn.Sequential``: 0 and 2 are the convolutions (1, 3 their ReLUs, 4
the pool); Keras and Gluon fold each ReLU into its convolution and are numbered the same way.

The book's four versions compute the same function: the TensorFlow one writes ``padding='same'``, which
for a 3x3 kernel at stride 1 is 1 on every side. Max pooling assumes no ties other than windows the ReLU
zeroed entirely (``specs._ops.max_pool2d``); any other tie is reported.
"""

from harness.spec import Input, Spec
from specs._ops import conv2d, max_pool2d, no_tap, relu

PAD1 = ((1, 1), (1, 1))


def vgg_block(x, p, c, tap=no_tap):
    x = relu(tap("0", conv2d(x, p["0.weight"], p["0.bias"], padding=PAD1)))
    x = relu(tap("2", conv2d(x, p["2.weight"], p["2.bias"], padding=PAD1)))
    return tap("4", max_pool2d(x, (2, 2), (2, 2)))


SPEC = Spec(
    name="vgg_block",
    title="VGG block: 2x (Conv 3x3 pad 1, ReLU), MaxPool 2: (3, 8x8) -> (8, 4x4)",
    section="8.2 Networks Using Blocks (VGG)",
    model="vgg_block",
    args={"num_convs": 2, "out_channels": 8},
    inputs={"x": Input((2, 3, 8, 8), layout="NCHW")},
    params={"0.weight": (8, 3, 3, 3), "0.bias": (8,), "2.weight": (8, 8, 3, 3), "2.bias": (8,)},
    taps={"0": "NCHW", "2": "NCHW", "4": "NCHW"},
    output_layout="NCHW",
    reference=vgg_block,
)
