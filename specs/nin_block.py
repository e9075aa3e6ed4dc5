"""d2l §8.3: a NiN block, ``nin_block(out_channels=8, kernel_size=(5, 5), strides=(2, 2))``.

A 5x5 convolution at stride 2 without padding ((2, 3, 13, 13) -> (2, 8, 5, 5)), then two 1x1
convolutions (a per-pixel MLP across channels), each followed by a ReLU. Names follow PyTorch's
``nn.Sequential``: 0, 2 and 4 are the convolutions; Keras and Gluon fold the ReLUs in.

The book's ``nin_block`` also takes ``padding``; it is left at each framework's spelling of "none"
(0, 'VALID', 'valid'), as the book's first NiN block uses it. The four versions compute the same function.
"""

from harness.spec import Input, Spec
from specs._ops import conv2d, no_tap, relu


def nin_block(x, p, c, tap=no_tap):
    x = relu(tap("0", conv2d(x, p["0.weight"], p["0.bias"], stride=(2, 2))))
    x = relu(tap("2", conv2d(x, p["2.weight"], p["2.bias"])))
    return relu(tap("4", conv2d(x, p["4.weight"], p["4.bias"])))


SPEC = Spec(
    name="nin_block",
    title="NiN block: Conv 5x5 stride 2, ReLU, then 2x (Conv 1x1, ReLU): (3, 13x13) -> (8, 5x5)",
    section="8.3 Network in Network (NiN)",
    model="nin_block",
    args={"out_channels": 8, "kernel_size": (5, 5), "strides": (2, 2)},
    inputs={"x": Input((2, 3, 13, 13), layout="NCHW")},
    params={"0.weight": (8, 3, 5, 5), "0.bias": (8,), "2.weight": (8, 8, 1, 1), "2.bias": (8,),
            "4.weight": (8, 8, 1, 1), "4.bias": (8,)},
    taps={"0": "NCHW", "2": "NCHW", "4": "NCHW"},
    output_layout="NCHW",
    reference=nin_block,
)
