"""d2l §10.1: the book's LSTM from scratch, ``LSTMScratch``, with its own twelve parameters.

I, F, O = sigmoid(X W_x* + H W_h* + b_*);  C~ = tanh(X W_xc + H W_hc + b_c);  C = F * C + I * C~;
H = O * tanh(C), over a time-major (T, N, C) input from the given (H, C) (``lstm_scratch_zero_state``:
called without them, from the book's default, zeros); returns every H (stacked) and the last (H, C).
Weights are (inputs, outputs); canonical names are the PyTorch class's attributes.

Unlike ``GRUScratch``, this is ``nn.LSTM``'s function: with ``W_x* = W_i*.T``, ``W_h* = W_h*.T``,
``b_* = b_i* + b_h*`` (``nn.LSTM``'s gates are i, f, g, o; the book's input node C~ is g) the outputs
agree to float64 rounding.

The book's four versions compute this function; they return the outputs as a Python list (stacked
here) and ``(H, C)`` as the state (the JAX scratch cell carries ``(H, C)`` too, unlike flax's own
LSTM cells).
"""

import numpy as np

from harness.spec import Input, Spec
from specs._ops import no_tap, sigmoid
from specs.gru_scratch import C, H, N, T, scratch_params


def lstm_scratch(X, H0, C0, p, c, tap=no_tap):
    h, cell, outputs = H0, C0, []
    for x in X:
        i = sigmoid(x @ p["W_xi"] + h @ p["W_hi"] + p["b_i"])
        f = sigmoid(x @ p["W_xf"] + h @ p["W_hf"] + p["b_f"])
        o = sigmoid(x @ p["W_xo"] + h @ p["W_ho"] + p["b_o"])
        c_tilde = np.tanh(x @ p["W_xc"] + h @ p["W_hc"] + p["b_c"])
        cell = f * cell + i * c_tilde
        h = o * np.tanh(cell)
        outputs.append(h)
    return np.stack(outputs), h, cell


def lstm_scratch_zero_state(X, p, c, tap=no_tap):
    zeros = np.zeros((X.shape[1], H))
    return lstm_scratch(X, zeros, zeros, p, c, tap)


def spec(name, title, reference, inputs):
    return Spec(
        name=name,
        title=title,
        section="10.1 Long Short-Term Memory (LSTM)",
        model="LSTMScratch",
        args={"num_inputs": C, "num_hiddens": H},
        inputs=inputs,
        outputs=("output", "H", "C"),
        params=scratch_params("ifoc"),
        reference=reference,
    )


SPECS = [
    spec("lstm_scratch", "LSTMScratch: the book's LSTM cell from raw parameters, 5 steps", lstm_scratch,
         {"X": Input((T, N, C)), "H": Input((N, H)), "C": Input((N, H))}),
    spec("lstm_scratch_zero_state", "LSTMScratch called without a state: it starts from zeros",
         lstm_scratch_zero_state, {"X": Input((T, N, C))}),
]
