"""Recurrent layers: PyTorch's parameters are canonical; the gate orders and biases of the others.

Canonical (``nn.RNN/GRU/LSTM`` as d2l builds them), for layer ``k`` of the module at ``prefix``:
``weight_ih_l{k}`` (G*H, C), ``weight_hh_l{k}`` (G*H, H), ``bias_ih_l{k}`` and ``bias_hh_l{k}`` (G*H,),
with ``_reverse`` appended for the backward direction of a bidirectional layer. The G gate blocks are
stacked along axis 0 in PyTorch's order (``GATES``): GRU (r, z, n), LSTM (i, f, g, o). Gluon stores the
same arrays under other names; Keras stacks the gates along the kernel's last axis, GRU in (z, r, n)
order, and holds one bias (LSTM, SimpleRNN) or both as rows of a (2, 3H) array (GRU reset_after=True);
flax has one Dense per gate, with one bias where PyTorch adds two (docs/conventions/seq.md §1).

Where a framework holds one bias for PyTorch's two, it is loaded with their sum and its gradient is the
gradient of each (they enter the function only through the sum). Everything here is exact: a layer form
that cannot represent the canonical function raises ``BindingError``.
"""

from __future__ import annotations

import re

import numpy as np

GATES = {"rnn": ("h",), "gru": ("r", "z", "n"), "lstm": ("i", "f", "g", "o")}
PARTS = ("weight_ih", "weight_hh", "bias_ih", "bias_hh")


def names(prefix: str, layer: int = 0, reverse: bool = False) -> dict:
    """part -> canonical name, e.g. ``{"weight_ih": "rnn.weight_ih_l1_reverse", ...}``."""
    return {p: f"{prefix}{p}_l{layer}{'_reverse' if reverse else ''}" for p in PARTS}


def part_of(name: str) -> str | None:
    """The part (``"bias_hh"``, ...) a canonical name is of a recurrent layer, or None."""
    m = re.search(r"(?:^|\.)(weight_ih|weight_hh|bias_ih|bias_hh)_l\d+(?:_reverse)?$", name)
    return m.group(1) if m else None


def gate_order(kind: str, native_gates) -> list:
    """For each gate position of a native layout, the index of the canonical block it holds.
    ``native_gates`` names the native order with PyTorch's letters (Keras GRU: ``("z", "r", "n")``)."""
    return [GATES[kind].index(g) for g in native_gates]


def reorder(a, order):
    """Gate blocks of ``a`` (stacked along axis 0) taken in ``order``."""
    blocks = np.split(np.asarray(a), len(order), axis=0)
    return np.concatenate([blocks[j] for j in order], axis=0)


def unorder(a, order):
    """The inverse of ``reorder``: native gate blocks back to canonical positions."""
    blocks = np.split(np.asarray(a), len(order), axis=0)
    out = [None] * len(order)
    for native, j in enumerate(order):
        out[j] = blocks[native]
    return np.concatenate(out, axis=0)


def block(a, j: int, n: int):
    """Gate block ``j`` of ``n`` stacked along axis 0."""
    return np.split(np.asarray(a), n, axis=0)[j]


def unblock(g, j: int, n: int):
    """A canonical-shaped array that is ``g`` in block ``j`` of ``n`` and zero elsewhere."""
    g = np.asarray(g)
    out = np.zeros((n * g.shape[0], *g.shape[1:]), dtype=g.dtype)
    out[j * g.shape[0]:(j + 1) * g.shape[0]] = g
    return out


def fused_bias():
    """(to_native, from_native) of one native bias standing for ``bias_ih + bias_hh`` (sources in that
    order): the gradient of the sum is the gradient of each."""
    return (lambda b_ih, b_hh: b_ih + b_hh), (lambda g: (g, g))


# --- training a layer that holds one bias where PyTorch holds two ---------------------------------------

FUSED_BIAS_TRAINING = (
    "holds bias_ih + bias_hh as one parameter: forward and gradients map exactly through the sum, but an "
    "optimizer step moves the one parameter by one update where PyTorch moves each of the two "
    "(docs/conventions/README.md trap 11). The harness reads the one parameter as the PyTorch model it is "
    "exactly equivalent to, bias_hh frozen at its initial value (harness.training.canonical_params): "
    "bias_ih then trains exactly, and bias_hh lags by one update per step")
_DECAY = ("; with coupled weight decay (the momentum optimizer here) the decay acts on the sum, so "
          "bias_ih's gradient gains weight_decay * bias_hh and its update and momentum buffer differ too")


def fused_bias_train_divergences(blocks) -> dict:
    """TRAIN_DIVERGENCES for a backend whose recurrent layers hold one bias (flax cells, Keras SimpleRNN and
    LSTM), for each block in ``blocks``: (reason, largest relative error it explains). The bounds are about
    twice the largest measured here: bias_hh 0.9 of its value after one update, bias_ih 0.024 and the
    momentum buffers 0.08 under weight decay."""
    out = {}
    for block in blocks:
        for opt in ("sgd", "momentum", "adam"):
            out[(block, opt, "rnn*bias_hh_l*")] = (FUSED_BIAS_TRAINING + ".", 2.0)
        out[(block, "momentum", "rnn*bias_ih_l*")] = (FUSED_BIAS_TRAINING + _DECAY + ".", 0.05)
        out[(block, "momentum", "momentum_buffer:rnn*bias_?h_l*")] = (FUSED_BIAS_TRAINING + _DECAY + ".", 0.2)
    return out
