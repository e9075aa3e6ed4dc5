"""d2l §10.1: the concise LSTM, PyTorch ``nn.LSTM(8, 16)`` over a time-major sequence.

i, f, g, o = sigmoid, sigmoid, tanh, sigmoid of the gate blocks of W_ih x + b_ih + W_hh h + b_hh;
c' = f * c + i * g;  h' = o * tanh(c'), for 5 steps from the given (h_0, c_0); returns every h_t and the
last state, as PyTorch's ``output, (h_n, c_n)``. All four frameworks stack the gates in the same order
(i, f, g, o); Keras's LSTM and flax's LSTM cells hold one bias per gate, loaded with ``bias_ih + bias_hh``
(its gradient is the gradient of each). flax's carry is ``(c, h)``, cell state first; PyTorch, Keras and
Gluon order the state ``(h, c)``.

The book's four versions: the JAX edition returns flax's carry as its state, so its ``H_C`` is ``(c, h)``
where the other three editions return ``(h, c)``: code that reads it as PyTorch's gets the states swapped
(the variant ``lstm_carry_order``: the output is off by 2.5, relative, here). The TensorFlow version passes
``time_major=True``, which Keras 3 no longer accepts.
"""

from harness.spec import Input, Spec, Variant
from specs import _rnn
from specs._ops import no_tap

N, T, C, H = 2, 5, 8, 16


def lstm(X, H0, C0, p, c, tap=no_tap):
    return _rnn.recurrent("lstm", X, H0, C0, p, prefix="rnn.")


SPEC = Spec(
    name="lstm",
    title="LSTM, nn.LSTM(8, 16), over 5 time steps from a given (h, c)",
    section="10.1 Long Short-Term Memory (LSTM)",
    model="LSTM",
    args={"num_inputs": C, "num_hiddens": H},
    inputs={"X": Input((T, N, C), layout="TNC"), "H": Input((1, N, H), layout="LNH"),
            "C": Input((1, N, H), layout="LNH")},
    outputs=("output", "h_n", "c_n"),
    output_layout={"output": "TNC", "h_n": "LNH", "c_n": "LNH"},
    params=_rnn.params("lstm", "rnn.", C, H),
    reference=lstm,
    variants=(
        Variant(
            name="lstm_carry_order",
            model="LSTMCarryAsHC",
            backends=("flax", "flax_nnx"),
            expected_tap="output:output",
            why="flax's LSTM carry is (c, h), cell state first; PyTorch, Keras and Gluon order the state (h, c). "
            "Code that builds or unpacks the carry in PyTorch's order starts from c_0 as the hidden state and "
            "returns c as h. Fix: initial_carry=(C, H) and (C, H), outputs = ...",
        ),
        Variant(
            name="lstm_bias_hh_dropped",
            fault="rnn_bias_hh_dropped",
            expected_tap="output:output",
            why="PyTorch adds two biases per gate (bias_ih + bias_hh); Keras's LSTM and flax's cells hold one. A "
            "weight map that copies bias_ih into the single bias, or forgets bias_hh in a two-bias framework, "
            "drops the other. Fix: load bias_ih + bias_hh, and hand the native bias's gradient to both.",
        ),
        Variant(
            name="lstm_bias_hh_grad_dropped",
            fault="rnn_bias_hh_grad_dropped",
            expected_tap="rnn.bias_hh_l0",
            why="A one-bias framework loaded with bias_ih + bias_hh computes the right function, but its bias "
            "gradient belongs to both canonical biases (each enters only through the sum). A map that hands it "
            "to bias_ih alone leaves bias_hh untrained while every output agrees. Fix: return it for both.",
        ),
    ),
)
