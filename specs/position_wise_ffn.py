"""d2l §11.7: the position-wise feed-forward network, ``PositionWiseFFN``: the same MLP at every position.

dense2(relu(dense1(X))) on X (2, 3, 4), dense1 4 -> 4 and dense2 4 -> 8 (the book's
``PositionWiseFFN(4, 8)``), acting on the last axis only. Gluon's Dense needs ``flatten=False`` for that
and folds the ReLU into dense1 (``activation='relu'``); the tap ``dense1`` is the value before the ReLU
in every framework.

The book's four versions compute this function.
"""

from harness.spec import Input, Spec
from specs import _attention
from specs._ops import no_tap


def position_wise_ffn(X, p, c, tap=no_tap):
    return _attention.ffn(X, p, "", tap)


SPEC = Spec(
    name="position_wise_ffn",
    title="PositionWiseFFN(4, 8): Linear, ReLU, Linear on the last axis of (2, 3, 4)",
    section="11.7 The Transformer Architecture",
    model="PositionWiseFFN",
    args={"ffn_num_hiddens": 4, "ffn_num_outputs": 8},
    inputs={"X": Input((2, 3, 4))},
    params={"dense1.weight": (4, 4), "dense1.bias": (4,), "dense2.weight": (8, 4), "dense2.bias": (8,)},
    taps={"dense1": None},
    reference=position_wise_ffn,
)
