"""d2l §6.4: lazy initialisation — the net is written without its input size, which the first call sets.

The book's net, ``Sequential(LazyLinear(256), ReLU(), LazyLinear(10))`` on X of shape (2, 20), written
in each framework the book's way: PyTorch ``nn.LazyLinear``, Keras ``Dense`` layers without an input
shape (built on their first call), flax ``nn.Dense`` (flax has no parameters before ``init`` with a sample
input), Gluon ``Dense`` without ``in_units`` and ``initialize()`` (deferred initialisation). An ordinary
block: the adapters call each realisation once with the inputs (materialising its parameters) before the
canonical weights are copied in. ``show`` and the page say, per framework, which parameter shapes are
known before the first call (each adapter's ``shapes_before_call``, docs/init.md).
"""

from harness.spec import Input, Spec
from specs._ops import linear, no_tap, relu


def net(x, p, c, tap=no_tap):
    return linear(relu(tap("0", linear(x, p["0.weight"], p["0.bias"]))), p["2.weight"], p["2.bias"])


SPEC = Spec(
    name="lazy_mlp",
    title="lazy initialisation: Sequential(LazyLinear(256), ReLU(), LazyLinear(10))",
    section="6.4 Lazy Initialization",
    model="LazyMLP",
    inputs={"x": Input((2, 20))},
    params={"0.weight": (256, 20), "0.bias": (256,), "2.weight": (10, 256), "2.bias": (10,)},
    reference=net,
    taps={"0": None},
)
