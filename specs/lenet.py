"""d2l §7.6: LeNet-5 as the book builds it, with sigmoids and average pooling.

net: Conv2d(1, 6, 5, padding=2) -> sigmoid -> AvgPool(2, 2) -> Conv2d(6, 16, 5) -> sigmoid ->
AvgPool(2, 2) -> Flatten (16 x 5 x 5 = 400, in (C, H, W) order) -> Linear(400, 120) -> sigmoid ->
Linear(120, 84) -> sigmoid -> Linear(84, 10). Parameter names follow the PyTorch ``nn.Sequential``
numbering (net.0, net.3, net.7, net.9, net.11); Keras and Gluon fold each sigmoid into the layer before
it and are numbered the same way (harness/adapter.py, rule 3).

The book's four versions compute the same function (the JAX and TensorFlow ones write the first conv's
padding as 'same', which for a 5x5 kernel at stride 1 is 2 on every side). Two differences in form only:
the MXNet version has no Flatten (Gluon's Dense flattens its input by default); ours adds one so that the
layers are numbered as in PyTorch. The JAX version initialises with Xavier; weights are copied in here.
Average pooling without padding has no counting ambiguity, and the sigmoid has no kinks.
"""

from harness.spec import Input, Param, Spec
from specs._ops import avg_pool2d, conv2d, flatten, linear, no_tap, sigmoid


def lenet(x, p, c, tap=no_tap):
    x = sigmoid(tap("net.0", conv2d(x, p["net.0.weight"], p["net.0.bias"], padding=((2, 2), (2, 2)))))
    x = tap("net.2", avg_pool2d(x, (2, 2), (2, 2)))  # (N, 6, 14, 14)
    x = sigmoid(tap("net.3", conv2d(x, p["net.3.weight"], p["net.3.bias"])))
    x = tap("net.5", avg_pool2d(x, (2, 2), (2, 2)))  # (N, 16, 5, 5)
    x = tap("net.6", flatten(x))
    x = sigmoid(tap("net.7", linear(x, p["net.7.weight"], p["net.7.bias"])))
    x = sigmoid(tap("net.9", linear(x, p["net.9.weight"], p["net.9.bias"])))
    return tap("net.11", linear(x, p["net.11.weight"], p["net.11.bias"]))


SPEC = Spec(
    name="lenet",
    title="LeNet-5: 2x (Conv 5x5, sigmoid, AvgPool 2), 3 Linear with sigmoids",
    section="7.6 Convolutional Neural Networks (LeNet)",
    model="LeNet",
    inputs={"x": Input((4, 1, 28, 28), layout="NCHW")},
    params={
        "net.0.weight": (6, 1, 5, 5), "net.0.bias": (6,),
        "net.3.weight": (16, 6, 5, 5), "net.3.bias": (16,),
        "net.7.weight": Param((120, 400), flattened_from=(16, 5, 5)), "net.7.bias": (120,),
        "net.9.weight": (84, 120), "net.9.bias": (84,),
        "net.11.weight": (10, 84), "net.11.bias": (10,),
    },
    taps={"net.0": "NCHW", "net.2": "NCHW", "net.3": "NCHW", "net.5": "NCHW",
          "net.6": ("flat", (16, 5, 5)), "net.7": None, "net.9": None, "net.11": None},
    reference=lenet,
)
