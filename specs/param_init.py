"""d2l §6.3: parameter initialisation — built-in, per layer, custom — each realisation initialising itself.

The book's net, ``Sequential(LazyLinear(8), ReLU(), LazyLinear(1))`` on X of shape (2, 4), initialised
four ways, plus the §6.1 MLP with the book's ``init_weights`` (Xavier-uniform weights, zero biases). Each
block is an ordinary block (outputs and gradients checked with the canonical weights copied in) and
declares, per parameter, the distribution its own initialisation draws from (``Param.initialised``),
checked by ``compare.py init`` without copying anything (harness.init).

Written the book's way: PyTorch ``net.apply(init_fn)`` (on ``nn.Linear(4, 8)``: ``apply`` needs shapes,
which the book has from an earlier ``net(X)``), Keras and flax initialisers passed to each layer, Gluon
``initialize(init.X, force_reinit=True)``. Where the book's tabs leave a bias to its framework's default
(``init_42`` and ``my_init`` touch the weight only), the spec declares nothing for it: PyTorch's default
is U(±1/sqrt(fan_in)) and the others' zeros (``compare.py init`` shows both). ``my_init`` draws
U(-10, 10) and zeroes every |w| < 5: the declared distribution is a mixture, an atom of mass 1/2 at 0 and
1/4 uniform on each of [-10, -5] and [5, 10].
"""

from harness.spec import Input, Param, Spec
from specs._ops import linear, no_tap, relu


def net(x, p, c, tap=no_tap):
    return linear(relu(tap("0", linear(x, p["0.weight"], p["0.bias"]))), p["2.weight"], p["2.bias"])


def mlp(x, p, c, tap=no_tap):
    h = relu(tap("hidden", linear(x, p["hidden.weight"], p["hidden.bias"])))
    return linear(h, p["out.weight"], p["out.bias"])


def _params(weight0, bias0, weight2, bias2):
    return {"0.weight": Param((8, 4), initialised=weight0), "0.bias": Param((8,), initialised=bias0),
            "2.weight": Param((1, 8), initialised=weight2), "2.bias": Param((1,), initialised=bias2)}


def _spec(name, title, model, params):
    return Spec(name=name, title=title, section="6.3 Parameter Initialization", model=model,
                inputs={"x": Input((2, 4), dist="uniform")}, params=params, reference=net, taps={"0": None})


SPECS = [
    _spec("init_normal", "normal(0, 0.01) weights, zero biases (net.apply(init_normal))", "NormalNet",
          _params("normal:0:0.01", "zeros", "normal:0:0.01", "zeros")),
    _spec("init_constant", "constant 1 weights, zero biases (net.apply(init_constant))", "ConstantNet",
          _params("ones", "zeros", "ones", "zeros")),
    _spec("init_xavier_42", "Xavier-uniform on the first layer, the constant 42 on the second", "XavierAnd42Net",
          _params("xavier_uniform", None, "constant:42", None)),
    _spec("init_custom", "the book's my_init: U(-10, 10), then |w| < 5 set to 0", "CustomInitNet",
          _params("d2l_custom", None, "d2l_custom", None)),
    Spec(
        name="init_xavier_mlp",
        title="the §6.1 MLP with init_weights: xavier_uniform_ weights, zero biases",
        section="6.3 Parameter Initialization",
        model="XavierMLP",
        inputs={"x": Input((2, 20))},
        params={"hidden.weight": Param((256, 20), initialised="xavier_uniform"),
                "hidden.bias": Param((256,), initialised="zeros"),
                "out.weight": Param((10, 256), initialised="xavier_uniform"),
                "out.bias": Param((10,), initialised="zeros")},
        reference=mlp,
        taps={"hidden": None},
    ),
]
