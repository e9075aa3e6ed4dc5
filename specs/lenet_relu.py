"""The classic tutorial LeNet (PyTorch's "Neural Networks" tutorial, on 28x28 inputs), ReLU everywhere.

conv1 Conv2d(1, 6, 5) -> ReLU -> max pool 2 -> conv2 Conv2d(6, 16, 5) -> ReLU -> max pool 2 -> flatten
(16 x 4 x 4 = 256, in (C, H, W) order) -> fc1 Linear(256, 120) -> ReLU -> fc2 Linear(120, 84) -> ReLU ->
fc3 Linear(84, 10) -> ReLU. The last ReLU is kept as the tutorial code has it (it clips the logits).

Where porting goes wrong: Flax and Keras hold feature maps NHWC and conv kernels (kH, kW, I, O), and their
flatten reads (H, W, C) order, so fc1's rows must be permuted (``Param(flattened_from=(16, 4, 4))``).
The two classic mistakes are kept as traps, each made by the weight map, not the realisation:
``lenet_relu_kernel_untransposed`` (conv kernels reshaped instead of transposed: wrong from conv1 on) and
``lenet_relu_flatten_unpermuted`` (fc1 loaded with plain W.T: every conv tap agrees, fc1 is wrong).

Max pooling assumes no ties: random inputs have none, except in windows the ReLU zeroed entirely, where
the gradient is zero whichever cell takes it (see ``specs._ops.max_pool2d``). Any other tie is reported.
Taps are the outputs of the PyTorch modules of those names: conv1, conv2 and fc1..fc3 before their ReLU.
"""

from harness.spec import Input, Param, Spec, Variant
from specs._ops import conv2d, flatten, linear, max_pool2d, no_tap, relu


def lenet_relu(x, p, c, tap=no_tap):
    x = relu(tap("conv1", conv2d(x, p["conv1.weight"], p["conv1.bias"])))
    x = tap("pool1", max_pool2d(x, (2, 2), (2, 2)))
    x = relu(tap("conv2", conv2d(x, p["conv2.weight"], p["conv2.bias"])))
    x = tap("pool2", max_pool2d(x, (2, 2), (2, 2)))
    x = tap("flatten", flatten(x))
    x = relu(tap("fc1", linear(x, p["fc1.weight"], p["fc1.bias"])))
    x = relu(tap("fc2", linear(x, p["fc2.weight"], p["fc2.bias"])))
    return relu(tap("fc3", linear(x, p["fc3.weight"], p["fc3.bias"])))


SPEC = Spec(
    name="lenet_relu",
    title="Tutorial LeNet: 2x (Conv 5x5, ReLU, MaxPool 2), 3 Linear + ReLU",
    section="7.6 Convolutional Neural Networks (LeNet)",
    model="LeNetReLU",
    inputs={"x": Input((10, 1, 28, 28), layout="NCHW")},
    params={
        "conv1.weight": (6, 1, 5, 5), "conv1.bias": (6,),
        "conv2.weight": (16, 6, 5, 5), "conv2.bias": (16,),
        "fc1.weight": Param((120, 256), flattened_from=(16, 4, 4)), "fc1.bias": (120,),
        "fc2.weight": (84, 120), "fc2.bias": (84,),
        "fc3.weight": (10, 84), "fc3.bias": (10,),
    },
    taps={"conv1": "NCHW", "pool1": "NCHW", "conv2": "NCHW", "pool2": "NCHW",
          "flatten": ("flat", (16, 4, 4)), "fc1": None, "fc2": None, "fc3": None},
    reference=lenet_relu,
    variants=(
        Variant(
            name="lenet_relu_kernel_untransposed",
            fault="conv_kernel_untransposed",
            backends=("flax", "flax_nnx", "keras"),
            expected_tap="conv1",
            why="The conv weights are copied into Flax/Keras with a reshape to (kH, kW, I, O) instead of "
            "W.transpose(2, 3, 1, 0): the shapes fit, so it loads without complaint, and every conv computes "
            "with scrambled kernels. Fix: transpose (harness/layout.py conv_kernel).",
        ),
        Variant(
            name="lenet_relu_flatten_unpermuted",
            fault="flatten_rows_unpermuted",
            backends=("flax", "flax_nnx", "keras"),
            expected_tap="fc1",
            why="fc1 is loaded into Flax/Keras with plain W.T, but their Flatten reads the NHWC map in "
            "(H, W, C) order while the weight was trained on (C, H, W): the convolutions agree and fc1 "
            "reads the wrong features. Fix: permute the kernel's rows (harness/layout.py "
            "flattened_dense_kernel).",
        ),
    ),
)
