"""d2l §10.3: a deep GRU, PyTorch ``nn.GRU(8, 16, num_layers=2)``: layer 1 reads layer 0's outputs.

Both layers compute the GRU of ``gru`` (reset gate after the matmul), each from its own initial state;
the block returns layer 1's outputs (T, N, H) and both final states (2, N, H). Keras's version is one
``RNN`` over two stacked ``GRUCell``s and flax's a list of two ``nn.RNN``; both keep one state per layer
(the harness stacks them). There is no output of layer 0 to tap in PyTorch's or Gluon's fused layer, nor
in Keras's stacked cells: a mistake in one layer shows in its final state (``h_n[k]``) and its
parameters' gradients.

The book's four versions agree for two layers; its JAX ``GRU`` feeds the raw input to every layer but
the last, which only changes the function from three layers on (measured in
docs/conventions/README.md, item 14: 0.46). TensorFlow's passes ``time_major=True`` (gone in Keras 3).
"""

from harness.spec import Input, Spec
from specs import _rnn
from specs._ops import no_tap

N, T, C, H, L = 2, 5, 8, 16, 2


def deep_gru(X, H0, p, c, tap=no_tap):
    output, h_n, _ = _rnn.recurrent("gru", X, H0, None, p, prefix="rnn.", num_layers=L)
    return output, h_n


SPEC = Spec(
    name="deep_gru",
    title="two-layer GRU, nn.GRU(8, 16, num_layers=2), from given states",
    section="10.3 Deep Recurrent Neural Networks",
    model="GRU",
    args={"num_inputs": C, "num_hiddens": H, "num_layers": L},
    inputs={"X": Input((T, N, C), layout="TNC"), "H": Input((L, N, H), layout="LNH")},
    outputs=("output", "h_n"),
    output_layout={"output": "TNC", "h_n": "LNH"},
    params=_rnn.params("gru", "rnn.", C, H, num_layers=L),
    reference=deep_gru,
    tolerance={"float32": 1e-5, "float64": 1e-10},
    tolerance_why=_rnn.TOLERANCE_WHY,
)
