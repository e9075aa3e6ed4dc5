"""d2l §8.7: DenseNet's ``conv_block``, ``DenseBlock`` and ``transition_block``, on 4 maps of 8 x 8.

conv_block(c): BatchNorm -> ReLU -> Conv2d(3x3, padding 1, c channels). DenseBlock(2, 10): two conv_blocks,
each one's output concatenated to its input along the channels, 3 + 2 x 10 = 23 channels out.
transition_block(10): BatchNorm -> ReLU -> Conv2d(1x1, 10 channels) -> AvgPool(2, 2), halving the size.
The BatchNorms are built in (eps 1e-5, momentum 0.1 in PyTorch's convention): both modes are checked and
the running statistics compared after one step. The running variance moves by the *biased* batch
variance (the spec's choice, as flax, Keras and Gluon); PyTorch's unbiased update is its declared
divergence on ``state:*running_var``. The book's shapes, as its own example runs them.

Where the book's versions differ: TensorFlow and JAX write ``ConvBlock``/``TransitionBlock`` classes with
the same layers; here every framework returns a Sequential from ``conv_block``/``transition_block`` as
PyTorch and MXNet do, so the parameters are numbered alike (``net.1.2.weight``: the second block's
convolution). TensorFlow's BatchNormalization is left at Keras's defaults (see ``bn_lenet``); its 'same'
3x3 convolution at stride 1 pads 1 everywhere, as the others do.
"""

import numpy as np

from harness.spec import Input, Param, Spec
from specs._ops import avg_pool2d, batch_norm_layer, conv2d, no_tap, relu

N, HW = 4, 8


def conv_block_ref(x, p, state, training, prefix, tap):
    new = {}
    k = f"{prefix}0."
    y, new[k + "running_mean"], new[k + "running_var"] = batch_norm_layer(
        x, p[k + "weight"], p[k + "bias"], state[k + "running_mean"], state[k + "running_var"], training)
    y = relu(tap(f"{prefix}0", y))
    return tap(f"{prefix}2", conv2d(y, p[f"{prefix}2.weight"], p[f"{prefix}2.bias"], padding=((1, 1), (1, 1)))), new


def conv_block(x, p, c, tap=no_tap, training=True, state=None):
    return conv_block_ref(x, p, state, training, "", tap)


def dense_block(x, p, c, tap=no_tap, training=True, state=None):
    new = {}
    for i in range(2):
        y, moved = conv_block_ref(x, p, state, training, f"net.{i}.", tap)
        new.update(moved)
        x = np.concatenate((x, y), axis=1)  # input and output, along the channels
    return x, new


def transition_block(x, p, c, tap=no_tap, training=True, state=None):
    y, mean, var = batch_norm_layer(x, p["0.weight"], p["0.bias"], state["0.running_mean"],
                                    state["0.running_var"], training)
    y = tap("2", conv2d(relu(tap("0", y)), p["2.weight"], p["2.bias"]))
    return avg_pool2d(y, (2, 2), (2, 2)), {"0.running_mean": mean, "0.running_var": var}


def bn(c_in, prefix):
    params = {f"{prefix}0.weight": Param((c_in,), init="uniform:0.5:1.5"),
              f"{prefix}0.bias": Param((c_in,), init="normal")}
    state = {f"{prefix}0.running_mean": Param((c_in,), init="normal"),
             f"{prefix}0.running_var": Param((c_in,), init="uniform:0.5:1.5")}
    return params, state


def block_params(c_in, c, k, prefix=""):
    params, state = bn(c_in, prefix)
    params.update({f"{prefix}2.weight": (c, c_in, k, k), f"{prefix}2.bias": Param((c,), fan_in=c_in * k * k)})
    return params, state


CB, CB_STATE = block_params(3, 10, 3)
DB0, DB0_STATE = block_params(3, 10, 3, "net.0.")
DB1, DB1_STATE = block_params(13, 10, 3, "net.1.")
TB, TB_STATE = block_params(23, 10, 1)
COMMON = dict(section="8.7 Densely Connected Networks (DenseNet)", output_layout="NCHW", modes=("train", "eval"))

SPECS = [
    Spec(name="conv_block", title="conv_block(10): BatchNorm, ReLU, Conv2d(3x3, padding 1) on 3 channels",
         model="conv_block", args={"num_channels": 10}, inputs={"x": Input((N, 3, HW, HW), layout="NCHW")},
         params=CB, state=CB_STATE, taps={"0": "NCHW", "2": "NCHW"}, reference=conv_block, **COMMON),
    Spec(name="dense_block", title="DenseBlock(2, 10): two conv_blocks, each output concatenated: 3 -> 23 channels",
         model="DenseBlock", args={"num_convs": 2, "num_channels": 10},
         inputs={"x": Input((N, 3, HW, HW), layout="NCHW")}, params={**DB0, **DB1}, state={**DB0_STATE, **DB1_STATE},
         taps={"net.0.0": "NCHW", "net.0.2": "NCHW", "net.1.0": "NCHW", "net.1.2": "NCHW"},
         reference=dense_block, **COMMON),
    Spec(name="transition_block", title="transition_block(10): BatchNorm, ReLU, Conv2d(1x1), AvgPool(2): 23 -> 10",
         model="transition_block", args={"num_channels": 10}, inputs={"x": Input((N, 23, HW, HW), layout="NCHW")},
         params=TB, state=TB_STATE, taps={"0": "NCHW", "2": "NCHW"}, reference=transition_block, **COMMON),
]
