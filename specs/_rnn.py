"""Float64 references of PyTorch's recurrent layers (``nn.RNN``, ``nn.GRU``, ``nn.LSTM``), time-major.

Formulas as PyTorch documents them (gate blocks stacked along axis 0 of each weight):
    RNN   h' = tanh(W_ih x + b_ih + W_hh h + b_hh)
    GRU   r, z = sigmoid(W_i{r,z} x + b_i{r,z} + W_h{r,z} h + b_h{r,z})
          n = tanh(W_in x + b_in + r * (W_hn h + b_hn))          # the reset gate acts *after* W_hn
          h' = (1 - z) * n + z * h
    LSTM  i, f, g, o = sigmoid, sigmoid, tanh, sigmoid of (W_ih x + b_ih + W_hh h + b_hh) blocks
          c_t' = f * c_t + i * g;  h' = o * tanh(c_t')   # c_t: the memory cell (d2l's C_t)
"""

import numpy as np

from harness.recurrent import PARTS
from harness.spec import Param
from specs._ops import sigmoid


def cell(kind, x, h, c_t, w_ih, w_hh, b_ih, b_hh):
    """One time step: (h', c_t') (the LSTM's memory cell c_t' is None for the others)."""
    gi, gh = x @ w_ih.T + b_ih, h @ w_hh.T + b_hh
    if kind == "rnn":
        return np.tanh(gi + gh), None
    if kind == "gru":
        (ir, iz, i_n), (hr, hz, hn) = np.split(gi, 3, axis=-1), np.split(gh, 3, axis=-1)
        r, z = sigmoid(ir + hr), sigmoid(iz + hz)
        n = np.tanh(i_n + r * hn)
        return (1 - z) * n + z * h, None
    i, f, g, o = np.split(gi + gh, 4, axis=-1)
    c_t = sigmoid(f) * c_t + sigmoid(i) * np.tanh(g)
    return sigmoid(o) * np.tanh(c_t), c_t


def layer(kind, xs, h, c_t, p, reverse=False):
    """One direction of one layer over a (T, N, C) sequence: outputs (T, N, H), final h, final c_t."""
    w_ih, w_hh, b_ih, b_hh = (p[k] for k in PARTS)
    steps = range(len(xs) - 1, -1, -1) if reverse else range(len(xs))
    outs = [None] * len(xs)
    for t in steps:
        h, c_t = cell(kind, xs[t], h, c_t, w_ih, w_hh, b_ih, b_hh)
        outs[t] = h
    return np.stack(outs), h, c_t


def recurrent(kind, xs, h0, c0, params, prefix="", num_layers=1, bidirectional=False):
    """PyTorch's multi-layer, optionally bidirectional layer: (output, h_n, c_n), states (L*D, N, H)."""
    directions = (False, True) if bidirectional else (False,)
    h_n, c_n, out = [], [], xs
    for k in range(num_layers):
        outs = []
        for d, reverse in enumerate(directions):
            i = k * len(directions) + d
            suffix = f"_l{k}" + ("_reverse" if reverse else "")
            p = {part: params[f"{prefix}{part}{suffix}"] for part in PARTS}
            seq, h, c_t = layer(kind, out, h0[i], None if c0 is None else c0[i], p, reverse)
            outs.append(seq)
            h_n.append(h)
            c_n.append(c_t)
        out = np.concatenate(outs, axis=-1)
    return out, np.stack(h_n), (None if c0 is None else np.stack(c_n))


def params(kind, prefix, num_inputs, num_hiddens, num_layers=1, bidirectional=False) -> dict:
    """The canonical parameters of such a layer, drawn like PyTorch's: U(-1/sqrt(H), 1/sqrt(H))."""
    gates = {"rnn": 1, "gru": 3, "lstm": 4}[kind] * num_hiddens
    directions = ("", "_reverse") if bidirectional else ("",)
    out = {}
    for k in range(num_layers):
        width = num_inputs if k == 0 else num_hiddens * len(directions)
        for d in directions:
            s = f"_l{k}{d}"
            out[f"{prefix}weight_ih{s}"] = Param((gates, width), fan_in=num_hiddens)
            out[f"{prefix}weight_hh{s}"] = Param((gates, num_hiddens), fan_in=num_hiddens)
            out[f"{prefix}bias_ih{s}"] = Param((gates,), fan_in=num_hiddens)
            out[f"{prefix}bias_hh{s}"] = Param((gates,), fan_in=num_hiddens)
    return out
