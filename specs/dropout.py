"""d2l §5.6: dropout, on its own and in the book's ``DropoutMLP``.

Evaluation mode: dropout is the identity, and ``DropoutMLP`` is Flatten, Linear(20, 32), ReLU, Dropout,
Linear(32, 16), ReLU, Dropout, Linear(16, 10); both must equal the reference, each framework switched
to evaluation by its own means (torch ``.eval()``, flax ``training=False`` as the book's JAX field,
Keras ``training=False``, Gluon outside ``autograd.record``'s training mode).

Training mode cannot match across frameworks: each draws its mask from its own random stream (seeded
from ``--seed``, so a run is reproducible, but four streams are four masks). So the ``dropout`` layer's
training mode is checked by what every correct inverted dropout gives, per framework
(``harness.checks.dropout_checks``): each output is 0 or x / (1 - p); the dropped fraction lies within 4
binomial standard deviations of p (p = 0.3 on 2048 values: 0.3 ± 0.040); and the input gradient is the
same mask times the cotangent, divided by 1 - p. p = 0.3 rather than the book's 0.5 so that a keep/drop
probability swapped, or a rescale by p instead of 1 - p, cannot look right. The MLP's training mode has
no such check on its output (a dense layer mixes the mask away), so it is checked in evaluation only; its
dropout layers are the ones checked above.

The book's four ``DropoutMLP`` versions agree with this spec but for the input layer: MXNet has no Flatten
(its Dense flattens by itself); one is added here so that the layers are numbered as in PyTorch.
"""

from harness.spec import Input, Spec
from specs._ops import linear, no_tap, relu

P = 0.3


def dropout(x, p, c, tap=no_tap, training=False):
    if training:
        raise ValueError("training-mode dropout is random: checked by properties, not by a reference")
    return x


def dropout_mlp(x, p, c, tap=no_tap):
    x = x.reshape(x.shape[0], -1)
    x = relu(tap("net.1", linear(x, p["net.1.weight"], p["net.1.bias"])))
    x = relu(tap("net.4", linear(x, p["net.4.weight"], p["net.4.bias"])))
    return linear(x, p["net.7.weight"], p["net.7.bias"])


SPECS = [
    Spec(
        name="dropout",
        title=f"Built-in Dropout(p={P}): identity in evaluation, properties of the mask in training",
        section="5.6 Dropout",
        model="dropout",
        inputs={"x": Input((32, 64))},
        reference=dropout,
        modes=("train", "eval"),
        dropout=P,
    ),
    Spec(
        name="dropout_mlp",
        title="DropoutMLP: Linear(20, 32), ReLU, Dropout(0.5), Linear(32, 16), ReLU, Dropout(0.5), "
        "Linear(16, 10)",
        section="5.6 Dropout",
        model="DropoutMLP",
        args={"num_outputs": 10, "num_hiddens_1": 32, "num_hiddens_2": 16, "dropout_1": 0.5, "dropout_2": 0.5},
        inputs={"x": Input((4, 20))},
        params={"net.1.weight": (32, 20), "net.1.bias": (32,), "net.4.weight": (16, 32), "net.4.bias": (16,),
                "net.7.weight": (10, 16), "net.7.bias": (10,)},
        reference=dropout_mlp,
        taps={"net.1": None, "net.4": None},
    ),
]
