"""d2l §10.2: the book's GRU from scratch, ``GRUScratch``, with its own nine parameters.

Z = sigmoid(X W_xz + H W_hz + b_z);  R = sigmoid(X W_xr + H W_hr + b_r);
H~ = tanh(X W_xh + (R * H) W_hh + b_h);  H = Z * H + (1 - Z) * H~, over a time-major (T, N, C) input from
the given H (``gru_scratch_zero_state``: called without one, from the book's default, zeros); returns
every H (stacked, (T, N, H)) and the last. Weights are (inputs, outputs), as the
book multiplies ``X @ W``; canonical names are the PyTorch class's attributes (``W_xz``, ...). The loop
runs over the leading (time) axis in all four frameworks, so nothing is transposed.

This is the textbook GRU, and *not* the function of ``nn.GRU`` (spec ``gru``): the reset gate scales H
before ``W_hh`` (``nn.GRU``: after, ``R * (H W_hn + b_hn)``) and each gate has one bias (``nn.GRU``: two).
With ``nn.GRU``'s weights loaded as closely as one bias allows (``W_x* = W_i*.T``, ``b_* = b_i* + b_h*``),
its outputs differ from ``nn.GRU``'s by O(0.1) relative.

The book's four versions compute this function; they return the outputs as a Python list of (N, H)
arrays (the language model stacks them later) and the JAX one scans with ``jax.lax.scan``. The
realisations here stack the list and take the book's weights as given (the book draws them
N(0, 0.01^2) with zero biases).
"""

import numpy as np

from harness.spec import Input, Param, Spec, Variant
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


def gru_scratch_zero_state(X, p, c, tap=no_tap):
    return gru_scratch(X, np.zeros((X.shape[1], H)), p, c, tap)


def spec(name, title, reference, inputs, **extra):
    return Spec(
        name=name,
        title=title,
        section="10.2 Gated Recurrent Units (GRU)",
        model="GRUScratch",
        args={"num_inputs": C, "num_hiddens": H},
        inputs=inputs,
        outputs=("output", "H"),
        params=scratch_params("zrh"),
        reference=reference,
        **extra,
    )


SPECS = [
    spec("gru_scratch", "GRUScratch: the book's GRU cell from raw parameters, 5 steps", gru_scratch,
         {"X": Input((T, N, C)), "H": Input((N, H))}),
    spec("gru_scratch_zero_state", "GRUScratch called without a state: it starts from zeros",
         gru_scratch_zero_state, {"X": Input((T, N, C))}, variants=(
             Variant(
                 name="gru_scratch_state_ones",
                 model="GRUScratchOnesState",
                 backends=("torch",),
                 expected_tap="output:output",
                 why="The state a recurrent cell starts from when none is given is zeros (the book's "
                 "torch.zeros((batch_size, num_hiddens))); ones runs, and every step after it differs. "
                 "Invisible while every call passes a state. Fix: torch.zeros.",
             ),
         )),
]
