"""d2l §10.4: a bidirectional GRU, PyTorch ``nn.GRU(8, 16, bidirectional=True)``.

A forward GRU reads steps 1..5 and a backward GRU (its own parameters, ``*_reverse``) reads 5..1, each
from its own initial state; the output at step t is both hidden states concatenated, forward first
(T, N, 2H), and ``h_n`` stacks the forward and backward final states (2, N, H). Keras's
``Bidirectional`` and flax's ``nn.Bidirectional`` return the backward outputs re-aligned to the forward
time order, as PyTorch does, and take their initial states as ``[forward, backward]``.

The book has a concise ``BiGRU`` only in its PyTorch and MXNet editions (the same function); the JAX and
TensorFlow editions have none.
"""

from harness.spec import Input, Spec
from specs import _rnn
from specs._ops import no_tap

N, T, C, H = 2, 5, 8, 16


def bi_gru(X, H0, p, c, tap=no_tap):
    output, h_n, _ = _rnn.recurrent("gru", X, H0, None, p, prefix="rnn.", bidirectional=True)
    return output, h_n


SPEC = Spec(
    name="bi_gru",
    title="bidirectional GRU, nn.GRU(8, 16, bidirectional=True), from given states",
    section="10.4 Bidirectional Recurrent Neural Networks",
    model="BiGRU",
    args={"num_inputs": C, "num_hiddens": H},
    inputs={"X": Input((T, N, C), layout="TNC"), "H": Input((2, N, H), layout="LNH")},
    outputs=("output", "h_n"),
    output_layout={"output": "TNC", "h_n": "LNH"},
    params=_rnn.params("gru", "rnn.", C, H, bidirectional=True),
    reference=bi_gru,
)
