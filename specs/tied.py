"""d2l §6.2: tied parameters, one ``shared`` layer used twice in a Sequential.

``Sequential(LazyLinear(8), ReLU, shared, ReLU, shared, ReLU, LazyLinear(1))`` on X of shape (2, 4):
``shared`` is one parameter (PyTorch's ``state_dict`` lists it as ``2.*`` and again as ``4.*``, its
aliases), so its gradient is the sum over both uses, and the realisations hold it once (the inventory
shows it). The book's Gluon tab shares it with ``Dense(..., params=shared.params)``, Keras and flax use the
same layer object twice.

The variant ``tied_two_copies`` is the port that makes two layers and initialises them equal: outputs and
gradients at step 0 are the same (its adapter loads both copies with the one canonical value, and the
copies' gradients, summed, are the shared parameter's), so ``compare`` passes it. Training does not: each
copy is updated with its own half of the gradient, so after one step neither holds what the canonical
update of the summed gradient gives, and the copies drift apart (``compare.py train tied_two_copies``).
"""

from harness.spec import Input, Param, Spec, Variant
from specs._ops import linear, no_tap, relu


def tied(x, p, c, tap=no_tap):
    h = relu(tap("0", linear(x, p["0.weight"], p["0.bias"])))
    h = relu(tap("2", linear(h, p["2.weight"], p["2.bias"])))
    h = relu(linear(h, p["2.weight"], p["2.bias"]))  # the shared layer again
    return linear(h, p["6.weight"], p["6.bias"])


SPEC = Spec(
    name="tied",
    title="a shared Linear(8, 8) used twice: one parameter, its gradient summed over both uses",
    section="6.2 Parameter Management",
    model="SharedNet",
    inputs={"x": Input((2, 4), dist="uniform")},
    params={"0.weight": (8, 4), "0.bias": (8,),
            "2.weight": Param((8, 8), aliases=("4.weight",)), "2.bias": Param((8,), aliases=("4.bias",)),
            "6.weight": (1, 8), "6.bias": (1,)},
    reference=tied,
    taps={"0": None, "2": None},
    variants=(
        Variant(
            name="tied_two_copies",
            model="TwoCopiesNet",
            seen_in="train",
            expected_tap="step1:2.weight",
            why="Two layers initialised equal where the book shares one: identical outputs and gradients at "
            "step 0, but each copy is updated with its own use's gradient, not the sum, and they drift "
            "apart from the first step. Fix: use the same layer object (Gluon: params=shared.params).",
        ),
    ),
)
