"""d2l §8.4: GoogLeNet's Inception block, ``Inception(c1=4, c2=(4, 6), c3=(2, 3), c4=3)``.

Four branches on the same (2, 6, 8, 8) input, each keeping the 8x8 size, concatenated along channels:
b1: 1x1 conv (4) | b2: 1x1 conv (4), 3x3 conv pad 1 (6) | b3: 1x1 conv (2), 5x5 conv pad 2 (3) |
b4: 3x3 max pool stride 1 pad 1, 1x1 conv (3); a ReLU after every conv. Output (2, 4+6+3+3=16, 8, 8).

The concatenation axis is where layouts bite: channels are axis 1 in NCHW (PyTorch ``dim=1``, Gluon
``axis=1``) and the last axis in NHWC (Flax and Keras ``axis=-1``). The book's four versions compute the
same function (the TensorFlow and JAX ones write 'same' for the 3x3 and 5x5 convs at stride 1, which is
the symmetric padding 1 and 2). The max pool reads the raw input, so it has no ties (they are reported).
"""

import numpy as np

from harness.spec import Input, Spec
from specs._ops import conv2d, max_pool2d, no_tap, relu


def inception(x, p, c, tap=no_tap):
    def conv(name, v, pad=0):
        return tap(name, conv2d(v, p[f"{name}.weight"], p[f"{name}.bias"], padding=((pad, pad), (pad, pad))))

    b1 = relu(conv("b1_1", x))
    b2 = relu(conv("b2_2", relu(conv("b2_1", x)), pad=1))
    b3 = relu(conv("b3_2", relu(conv("b3_1", x)), pad=2))
    b4 = relu(conv("b4_2", tap("b4_1", max_pool2d(x, (3, 3), (1, 1), ((1, 1), (1, 1))))))
    return np.concatenate((b1, b2, b3, b4), axis=1)  # NCHW: channels are axis 1


def conv_params(name, out_channels, in_channels, k):
    return {f"{name}.weight": (out_channels, in_channels, k, k), f"{name}.bias": (out_channels,)}


SPEC = Spec(
    name="inception",
    title="Inception block: four branches (1x1; 1x1, 3x3; 1x1, 5x5; pool, 1x1), concatenated",
    section="8.4 Multi-Branch Networks (GoogLeNet)",
    model="Inception",
    args={"c1": 4, "c2": (4, 6), "c3": (2, 3), "c4": 3},
    inputs={"x": Input((2, 6, 8, 8), layout="NCHW")},
    params={**conv_params("b1_1", 4, 6, 1), **conv_params("b2_1", 4, 6, 1), **conv_params("b2_2", 6, 4, 3),
            **conv_params("b3_1", 2, 6, 1), **conv_params("b3_2", 3, 2, 5), **conv_params("b4_2", 3, 6, 1)},
    taps={"b1_1": "NCHW", "b2_1": "NCHW", "b2_2": "NCHW", "b3_1": "NCHW", "b3_2": "NCHW", "b4_1": "NCHW",
          "b4_2": "NCHW"},
    output_layout="NCHW",
    reference=inception,
)
