"""d2l §10.2: the concise GRU, PyTorch ``nn.GRU(8, 16)`` over a time-major sequence.

r, z = sigmoid(W_i{r,z} x + b_i{r,z} + W_h{r,z} h + b_h{r,z});  n = tanh(W_in x + b_in + r * (W_hn h + b_hn));
h' = (1 - z) * n + z * h, for 5 steps from the given h_0; returns every h_t and the last (``output, h_n``).
The reset gate multiplies ``W_hn h + b_hn`` *after* the matmul (cuDNN's form). Gluon's fused ``rnn.GRU``
and Keras's ``GRU(reset_after=True)`` (the default) compute exactly this; Keras stacks the gates as
(z, r, n) where PyTorch has (r, z, n) and keeps both biases as rows of a (2, 3H) array; flax's GRUCell
has one Dense per gate, with one bias for r and z (``b_ir + b_hr``) and two for n. Keras's
``GRU(reset_after=False)`` applies the reset gate before the matmul: no weights make it compute this
function, so the Keras adapter refuses it (an ``error`` row naming the reason).

The book's four versions are this layer in each framework (TensorFlow's ``GRU`` is batch-major there
too); the book's own from-scratch ``GRUScratch`` is a different function (see ``gru_scratch``).
"""

from harness.spec import Input, Spec, Variant
from specs import _rnn
from specs._ops import no_tap

N, T, C, H = 2, 5, 8, 16


def gru(X, H0, p, c, tap=no_tap):
    output, h_n, _ = _rnn.recurrent("gru", X, H0, None, p, prefix="rnn.")
    return output, h_n


SPEC = Spec(
    name="gru",
    title="GRU, nn.GRU(8, 16), over 5 time steps from a given state",
    section="10.2 Gated Recurrent Units (GRU)",
    model="GRU",
    args={"num_inputs": C, "num_hiddens": H},
    inputs={"X": Input((T, N, C), layout="TNC"), "H": Input((1, N, H), layout="LNH")},
    outputs=("output", "h_n"),
    output_layout={"output": "TNC", "h_n": "LNH"},
    params=_rnn.params("gru", "rnn.", C, H),
    reference=gru,
    variants=(
        Variant(
            name="gru_gates_zrn",
            fault="gru_gates_zrn",
            expected_tap="output:output",
            why="Keras stacks a GRU's gate blocks as (z, r, n), PyTorch and Gluon as (r, z, n): a weight map "
            "that copies the blocks in the wrong order swaps the reset and update gates. Shapes all fit; the "
            "function is wrong. Fix: swap the first two H-blocks of every weight and bias (Keras), or take "
            "block j for flax's gate j in PyTorch's order.",
        ),
        Variant(
            name="gru_gate_grads_unordered",
            fault="gru_gate_grads_unordered",
            expected_tap="rnn.weight_ih_l0",
            why="A weight map is two maps: values into the framework, gradients back out. One that reorders the "
            "gate blocks on the way in but not on the way out gives every output right and the r and z blocks "
            "of every gradient swapped. Fix: map the gradients back with the inverse of the load map.",
        ),
        Variant(
            name="gru_reset_before",
            model="GRUResetBefore",
            backends=("flax",),
            expected_tap="output:output",
            why="The textbook GRU (d2l §10.2's formula and GRUScratch, Keras's reset_after=False) multiplies h "
            "by the reset gate before the recurrent matmul, tanh(W_in x + b_in + W_hn (r * h) + b_hn); PyTorch, "
            "Gluon, flax's GRUCell and Keras's default multiply the matmul's result, r * (W_hn h + b_hn). A "
            "hand-written cell from the textbook formula loads PyTorch's weights exactly and computes another "
            "function. Fix: apply r after W_hn.",
        ),
        Variant(
            name="gru_nnx_no_hidden_bias",
            model="GRUNoHiddenBias",
            backends=("flax_nnx",),
            expected_tap="output:output",
            why="nnx.GRUCell is not linen's: its recurrent Linear dense_h has no bias at all (linen's GRUCell keeps "
            "b_hn, PyTorch holds bias_hh for every gate), so its n gate is tanh(W_in x + b_in + r * (W_hn h)). "
            "Loading bias_ih + bias_hh into its one bias, as for a one-bias LSTM, moves r * b_hn outside the "
            "reset gate: the output is off by 0.11 relative here (seed 0). Fix: a cell with a biased dense_h "
            "(backends/flax_nnx/gru.py's GRUCell).",
        ),
    ),
)
