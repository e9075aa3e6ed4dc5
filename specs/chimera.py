"""d2l §6.1: the "chimera", Sequential(NestMLP(), Linear(16, 20), FixedHiddenMLP()).

Modules of every kind nest freely: parameters are named by position in the outer Sequential (0.*, 1.*,
2.*) and FixedHiddenMLP's constant becomes ``2.rand_weight``. The book's versions inherit the differences
listed in nest_mlp and fixed_hidden_mlp (Gluon/TensorFlow add ReLUs); this spec follows PyTorch.
"""

from harness.spec import Input, Spec
from specs._ops import linear, no_tap
from specs.fixed_hidden_mlp import fixed_hidden_mlp
from specs.nest_mlp import PARAMS as NEST_PARAMS
from specs.nest_mlp import nest_mlp


def chimera(x, p, c, tap=no_tap):
    def sub(prefix, d):
        return {k[len(prefix):]: v for k, v in d.items() if k.startswith(prefix)}

    x = tap("0", nest_mlp(x, sub("0.", p), {}))
    x = tap("1", linear(x, p["1.weight"], p["1.bias"]))
    return fixed_hidden_mlp(x, sub("2.", p), sub("2.", c))


SPEC = Spec(
    name="chimera",
    title="Chimera: Sequential(NestMLP, Linear(16, 20), FixedHiddenMLP); scalar output",
    section="6.1 Layers and Modules",
    model="chimera",
    inputs={"x": Input((2, 20))},
    params={
        **{f"0.{k}": v for k, v in NEST_PARAMS.items()},
        "1.weight": (20, 16), "1.bias": (20,),
        "2.linear.weight": (20, 20), "2.linear.bias": (20,),
    },
    constants={"2.rand_weight": (20, 20)},
    reference=chimera,
    taps={"0": None, "1": None},
)
