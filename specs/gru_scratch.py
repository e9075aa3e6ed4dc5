"""d2l §10.2: the book's GRU from scratch, ``GRUScratch``, with its own nine parameters.

Z = sigmoid(X W_xz + H W_hz + b_z);  R = sigmoid(X W_xr + H W_hr + b_r);
H~ = tanh(X W_xh + (R * H) W_hh + b_h);  H = Z * H + (1 - Z) * H~, over a time-major (T, N, C) input from
the given H; returns every H (stacked, (T, N, H)) and the last. Weights are (inputs, outputs), as the
book multiplies ``X @ W``; canonical names are the PyTorch class's attributes (``W_xz``, ...). The loop
runs over the leading (time) axis in all four frameworks, so nothing is transposed.

This is the textbook GRU, and *not* the function of ``nn.GRU`` (spec ``gru``): the reset gate scales H
before ``W_hh`` (``nn.GRU``: after, ``R * (H W_hn + b_hn)``) and each gate has one bias (``nn.GRU``: two).
With ``nn.GRU``'s weights loaded as closely as one bias allows (``W_x* = W_i*.T``, ``b_* = b_i* + b_h*``),
its outputs differ from ``nn.GRU``'s by 0.14 (relative, on the ``gru`` spec's data).

The book's four versions compute this function; they return the outputs as a Python list of (N, H)
arrays (the language model stacks them later) and the JAX one scans with ``jax.lax.scan``. The
realisations here stack the list and take the book's weights as given (the book draws them
N(0, 0.01^2) with zero biases).
"""

import numpy as np

from harness.spec import Input, Param, Spec
from specs._ops import no_tap, sigmoid

N, T, C, H = 2, 5, 8, 16


def scratch_params(gates):
    out = {}
    for g in gates:
        out |= {f"W_x{g}": Param((C, H), fan_in=H), f"W_h{g}": Param((H, H), fan_in=H), f"b_{g}": Param((H,), fan_in=H)}
    return out


def gru_scratch(X, H0, p, c, tap=no_tap):
    h, outputs = H0, []
    for x in X:
        z = sigmoid(x @ p["W_xz"] + h @ p["W_hz"] + p["b_z"])
        r = sigmoid(x @ p["W_xr"] + h @ p["W_hr"] + p["b_r"])
        h_tilde = np.tanh(x @ p["W_xh"] + (r * h) @ p["W_hh"] + p["b_h"])
        h = z * h + (1 - z) * h_tilde
        outputs.append(h)
    return np.stack(outputs), h


SPEC = Spec(
    name="gru_scratch",
    title="GRUScratch: the book's GRU cell from raw parameters, 5 steps",
    section="10.2 Gated Recurrent Units (GRU)",
    model="GRUScratch",
    args={"num_inputs": C, "num_hiddens": H},
    inputs={"X": Input((T, N, C)), "H": Input((N, H))},
    outputs=("output", "H"),
    params=scratch_params("zrh"),
    reference=gru_scratch,
    tolerance={"float32": 1e-5, "float64": 1e-10},
    tolerance_why="float32: five steps of 8- and 16-term dot products through the gates, measured 2.1e-7 "
    "relative; 1e-5 keeps 50x headroom. float64: 3.9e-16.",
)
