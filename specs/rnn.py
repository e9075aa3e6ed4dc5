"""d2l §9.6: the concise RNN, a one-layer tanh RNN over a time-major sequence (PyTorch ``nn.RNN``).

h_t = tanh(W_ih x_t + b_ih + W_hh h_{t-1} + b_hh) for t = 1..5 from the given initial state h_0; it
returns every h_t (T, N, H) and the last one (1, N, H), as PyTorch's ``(output, h_n)``. Keras's and
flax's layers are batch-major and keep the state without its layer axis; the harness transposes (layouts
"TNC", "LNH"). Keras's SimpleRNN and flax's SimpleCell hold one bias: they get ``bias_ih + bias_hh``.

The book's four versions: MXNet's ``rnn.RNN(num_hiddens)`` is a *relu* RNN (Gluon's default
activation); on this spec's data its output is off the tanh RNN by 1.0 (relative; the variant
``rnn_relu_default``). The TensorFlow version passes ``SimpleRNN(time_major=True)``, which Keras 3 no
longer accepts; the JAX edition's concise ``RNN`` raises ``NotImplementedError``. The realisations here
use each framework's tanh RNN layer.
"""

from harness.spec import Input, Spec, Variant
from specs import _rnn
from specs._ops import no_tap

N, T, C, H = 2, 5, 8, 16


def rnn(X, H0, p, c, tap=no_tap):
    output, h_n, _ = _rnn.recurrent("rnn", X, H0, None, p, prefix="rnn.")
    return output, h_n


SPEC = Spec(
    name="rnn",
    title="tanh RNN, nn.RNN(8, 16), over 5 time steps from a given state",
    section="9.6 Concise Implementation of Recurrent Neural Networks",
    model="RNN",
    args={"num_inputs": C, "num_hiddens": H},
    inputs={"X": Input((T, N, C), layout="TNC"), "H": Input((1, N, H), layout="LNH")},
    outputs=("output", "h_n"),
    output_layout={"output": "TNC", "h_n": "LNH"},
    params=_rnn.params("rnn", "rnn.", C, H),
    reference=rnn,
    variants=(
        Variant(
            name="rnn_relu_default",
            model="RNNReluDefault",
            backends=("gluon",),
            expected_tap="output:output",
            why="Gluon's rnn.RNN defaults to activation='relu' (PyTorch, Keras and flax default to tanh), and "
            "the book's MXNet RNN keeps that default: same parameters, a different function. Fix: "
            "rnn.RNN(num_hiddens, activation='tanh').",
        ),
    ),
)
