"""Is a converted checkpoint right? Each parameter read from a framework's own file, against the canonical
weights, and the known conversion mistake that explains a difference exactly.

The known mistakes are data (``MISTAKES``): what was done, where it applies, why it is wrong and the fix.
Each is tested, never guessed: in the worker (``harness.native``) the mistake is made on the canonical
values, for every native parameter it applies to, exactly as a hand-written converter would make it (the
native value it would write), and that native value is read back through the same slots as the user's
file. A mistake explains a parameter when the value read back from the user's file equals what the
mistake gives, and that differs from the right value. Where several do (a square kernel copied as is is
also a reshape of it), all are named.

What cannot be diagnosed from a weights file: a hyper-parameter (a BatchNorm's momentum convention, an
epsilon) is not a weight; ``.weights.h5``, ``.params``, flax trees and ``state_dict`` files do not carry
it. A framework that holds one bias where PyTorch holds two (Keras LSTM, flax cells) holds only their
sum: it is read as ``bias_ih`` with ``bias_hh`` as expected, so a mistake there shows on ``bias_ih``.

This module is plain NumPy: it runs in every worker (the Gluon worker has NumPy 1.23) and the coordinator.
"""

from __future__ import annotations

import dataclasses
import itertools
import re
from collections.abc import Callable

import numpy as np

RECURRENT = re.compile(r"(.*)(weight_ih|weight_hh|bias_ih|bias_hh)(_l\d+(?:_reverse)?)$")
LETTERS = {3: ("r", "z", "n"), 4: ("i", "f", "g", "o")}  # PyTorch's gate order, GRU and LSTM


@dataclasses.dataclass(frozen=True)
class Mistake:
    """A conversion mistake. ``tries(slot, values, spec)``: [(detail, the native value the mistaken
    converter writes)] for one native parameter it applies to (empty where it does not). ``why`` and
    ``fix`` may use ``{detail}``."""

    name: str
    applies_to: str
    why: str
    fix: str
    tries: Callable

    def explain(self, detail: str) -> str:
        return f"{self.why.format(detail=detail)} Fix: {self.fix.format(detail=detail)}"


# --- what a slot is --------------------------------------------------------------------------------------
def _kernel(slot, values):
    """The canonical weight of a plain Linear/Conv kernel slot, or None."""
    name = slot.canonical
    if slot.sources or RECURRENT.match(name) or not name.endswith("weight") or name not in values:
        return None
    return name if np.ndim(values[name]) in (2, 4) and len(slot.shape) == np.ndim(values[name]) else None


def _right_axes(slot, w):
    """The axis order p with ``w.transpose(p) == to_native(w)`` for this slot (None: not a transpose)."""
    probe = np.arange(w.size, dtype=np.float64).reshape(w.shape)
    native = np.asarray(slot.to_native(probe))
    return next((p for p in itertools.permutations(range(w.ndim))
                 if probe.transpose(p).shape == native.shape and np.array_equal(probe.transpose(p), native)), None)


def _other_layout(slot, w):
    """The weight in the other convention's layout: what a converter into this slot starts from (the
    canonical weight for an NHWC/(in, out) framework, an NHWC/(in, out) kernel for a PyTorch-layout one)."""
    if _right_axes(slot, w) != tuple(range(w.ndim)):
        return w
    return w.T if w.ndim == 2 else w.transpose(2, 3, 1, 0)


# --- the mistakes --------------------------------------------------------------------------------------
def _reshaped(slot, values, spec):
    name = _kernel(slot, values)
    if name is None or spec.params.get(name, None) is None:
        return []
    return [("", _other_layout(slot, values[name]).reshape(slot.shape))]


def _axes(slot, values, spec):
    name = _kernel(slot, values)
    if name is None:
        return []
    w = values[name]
    right = _right_axes(slot, w)
    if right is None:  # a flattened Dense: its own mistake below
        return []
    return [("-".join(map(str, p)), w.transpose(p)) for p in itertools.permutations(range(w.ndim))
            if p != right and w.transpose(p).shape == tuple(slot.shape)]


def _flipped(slot, values, spec):
    name = _kernel(slot, values)
    if name is None or np.ndim(values[name]) != 4:
        return []
    return [("", slot.to_native(values[name][:, :, ::-1, ::-1]))]


def _flatten(slot, values, spec):
    name = _kernel(slot, values)
    param = spec.params.get(name) if name else None
    if param is None or not param.flattened_from:
        return []
    from harness import layout

    w, chw = values[name], param.flattened_from
    if _right_axes(slot, w) is None:  # NHWC: the rows need the permutation; plain W.T forgot it
        return [("", layout.dense_kernel(w))]
    # PyTorch layout, converted from an NHWC framework's kernel without undoing its permutation
    return [("", np.asarray(slot.to_native(layout.flattened_dense_kernel(w, chw).T)))]


def _recurrent_values(values, change):
    """``values`` with ``change(part, name, value)`` applied to every recurrent parameter."""
    out = dict(values)
    for name, v in values.items():
        m = RECURRENT.match(name)
        if m:
            out[name] = change(m.group(2), name, v)
    return out


def _reads_recurrent(slot):
    return any(RECURRENT.match(c) for c in (slot.sources or (slot.canonical,)))


def _gates(n):
    def tries(slot, values, spec):
        if not _reads_recurrent(slot):
            return []
        sizes = {v.shape[0] // v.shape[1] for k, v in values.items() if RECURRENT.match(k) and "weight_hh" in k}
        if sizes != {n}:
            return []
        from harness.recurrent import reorder

        out = []
        for order in itertools.permutations(range(n)):
            if list(order) == sorted(order):
                continue
            changed = _recurrent_values(values, lambda part, name, v, order=order: reorder(v, order))
            out.append(("-".join(LETTERS[n][j] for j in order), slot.native_value(changed)))
        return out
    return tries


def _bias(change):
    def tries(slot, values, spec):
        reads = slot.sources or (slot.canonical,)
        if not any(RECURRENT.match(c) and RECURRENT.match(c).group(2).startswith("bias") for c in reads):
            return []
        return [("", slot.native_value(_recurrent_values(values, lambda part, name, v: change(part, name, v,
                                                                                             values))))]
    return tries


def _partner(name, part, values):
    m = RECURRENT.match(name)
    return values[f"{m.group(1)}{part}{m.group(3)}"]


def _drop(dropped):
    return _bias(lambda part, name, v, values: np.zeros_like(v) if part == dropped else v)


def _both(part, name, v, values):  # the one-bias sum copied into each of PyTorch's two
    if not part.startswith("bias"):
        return v
    return _partner(name, "bias_ih", values) + _partner(name, "bias_hh", values)


def _split(part, name, v, values):  # the sum in bias_ih, zeros in bias_hh: the same function
    if part == "bias_ih":
        return v + _partner(name, "bias_hh", values)
    return np.zeros_like(v) if part == "bias_hh" else v


MISTAKES = (
    Mistake("kernel_reshaped", "Linear/Dense and conv kernels",
            "the kernel was reshaped to the target shape instead of transposed: the shape fits, the values "
            "are scrambled.",
            "transpose: a Linear weight (out, in) is a Dense kernel (in, out) = W.T; a conv weight "
            "(O, I, kH, kW) is an NHWC kernel (kH, kW, I, O) = W.transpose(2, 3, 1, 0) (and back: "
            "K.transpose(3, 2, 0, 1)).", _reshaped),
    Mistake("kernel_axes", "Linear/Dense and conv kernels",
            "the kernel's axes are in another order: the target got the canonical weight transposed as "
            "W.transpose({detail}) (a 2-D kernel: copied without its transpose, or transposed twice).",
            "transpose once, with the right axes: Dense kernel = W.T; NHWC conv kernel = "
            "W.transpose(2, 3, 1, 0); PyTorch from NHWC: K.transpose(3, 2, 0, 1).", _axes),
    Mistake("conv_kernel_flipped", "conv kernels",
            "the conv kernel is spatially flipped (rotated 180 degrees): a true convolution's kernel "
            "(Theano, scipy.signal.convolve) copied into a framework that computes a cross-correlation, as "
            "every framework here does.",
            "copy the kernel without flipping it (or flip it back: W[:, :, ::-1, ::-1]).", _flipped),
    Mistake("flatten_rows_unpermuted", "a Linear/Dense after a Flatten of a feature map (Param.flattened_from)",
            "the Dense after a Flatten was converted with a plain transpose: PyTorch flattens (C, H, W), NHWC "
            "frameworks flatten (H, W, C), so the kernel's rows (inputs) are in the other order.",
            "permute the rows: kernel = W.T[perm], perm = arange(C*H*W).reshape(C, H, W).transpose(1, 2, 0)"
            ".ravel() (harness.layout.flattened_dense_kernel), or flatten in (C, H, W) order yourself.",
            _flatten),
    Mistake("gate_order_gru", "GRU weights and biases",
            "the gate blocks are in the order ({detail}) of PyTorch's (r, z, n) blocks: they were copied in "
            "one framework's gate order into another's (Keras's GRU stacks (z, r, h); flax has one Dense per "
            "gate, ir/iz/in).",
            "reorder the blocks: PyTorch (r, z, n) -> Keras (z, r, h) swaps the first two "
            "(harness.recurrent.reorder).", _gates(3)),
    Mistake("gate_order_lstm", "LSTM weights and biases",
            "the gate blocks are in the order ({detail}) of PyTorch's (i, f, g, o) blocks: copied in another "
            "gate order (Keras uses PyTorch's (i, f, c, o); flax names them ii/if/ig/io, MXNet (i, f, c, o)).",
            "put block i of the source where the target's gate i goes (harness.recurrent.reorder).", _gates(4)),
    Mistake("bias_hh_dropped", "recurrent biases",
            "only bias_ih was copied: a framework with one bias needs bias_ih + bias_hh; one with two was "
            "left with zeros (or its initial value) in bias_hh.",
            "a one-bias framework: bias = bias_ih + bias_hh; a two-bias one: copy both.", _drop("bias_hh")),
    Mistake("bias_ih_dropped", "recurrent biases",
            "only bias_hh was copied: a framework with one bias needs bias_ih + bias_hh.",
            "a one-bias framework: bias = bias_ih + bias_hh; a two-bias one: copy both.", _drop("bias_ih")),
    Mistake("bias_sum_in_both", "recurrent biases",
            "a one-bias framework's bias (the sum bias_ih + bias_hh) was copied into both of PyTorch's "
            "biases (or both were added twice): the layer adds it twice.",
            "put the sum in bias_ih and zeros in bias_hh (or split it any way that adds up to it).",
            _bias(_both)),
    Mistake("bias_split_differently", "recurrent biases",
            "the sum bias_ih + bias_hh is right, split differently (the sum in bias_ih, zeros in bias_hh): "
            "the same function, so outputs and input gradients agree, but training moves the two "
            "biases separately from another start.",
            "nothing for inference; for training, copy each bias as PyTorch has it.", _bias(_split)),
)


def mistake(name: str) -> Mistake:
    return next(m for m in MISTAKES if m.name == name)


# --- worker side: the values each mistake leads to --------------------------------------------------------
def hypotheses(slots, expected: dict, spec, readback) -> dict:
    """{"<mistake>.<detail>": {canonical name: value read back}} for each mistake and detail that applies
    to some slot, keeping only the parameters it changes. ``readback(natives)`` maps {slot label: native}
    to canonical values, as for the user's file."""
    right = {s.canonical: np.asarray(s.native_value(expected)) for s in slots}
    out = {}
    for m in MISTAKES:
        by_detail = {}
        for s in slots:
            for detail, native in m.tries(s, expected, spec):
                if np.shape(native) == tuple(s.shape):
                    by_detail.setdefault(detail, {})[s.canonical] = np.asarray(native)
        for detail, natives in by_detail.items():
            got = readback({**right, **natives})
            changed = {k: v for k, v in got.items() if k in expected and not close(v, expected[k])}
            if changed:
                out[f"{m.name}.{detail}"] = changed
    return out


# --- coordinator side: the verdict --------------------------------------------------------------------
def close(a, b) -> bool:
    """Equal up to the rounding of a float32 file (1e-6 of the value's scale)."""
    a, b = np.asarray(a, np.float64), np.asarray(b, np.float64)
    return a.shape == b.shape and bool(np.max(np.abs(a - b), initial=0.0) <= 1e-6 * max(1.0, np.max(np.abs(b),
                                                                                           initial=0.0)))


@dataclasses.dataclass
class Verdict:
    name: str
    equal: bool
    max_abs: float | None  # None: the shapes differ
    explained_by: list  # [(mistake name, detail)]

    def as_json(self) -> dict:
        return {"name": self.name, "equal": self.equal, "max_abs_err": self.max_abs,
                "explained_by": [{"mistake": n, "detail": d, "explanation": mistake(n).explain(d)}
                                 for n, d in self.explained_by]}


def judge(expected: dict, found: dict, hyps: dict) -> list[Verdict]:
    """One verdict per canonical value read back from the file (``found``), in ``expected``'s order."""
    out = []
    for name, want in expected.items():
        if name not in found:
            continue
        got = np.asarray(found[name], np.float64)
        equal = close(got, want)
        diff = float(np.max(np.abs(got - want), initial=0.0)) if got.shape == np.shape(want) else None
        explained = []
        if not equal:
            for key, values in hyps.items():
                if name in values and close(got, values[name]):
                    m, _, detail = key.partition(".")
                    explained.append((m, detail.replace("-", ", ")))
        out.append(Verdict(name, equal, diff, explained))
    return out


def render(backend: str, path: str, source: str, verdicts: list[Verdict]) -> list[str]:
    """The lines the report shows for one ``--native`` file."""
    wrong = [v for v in verdicts if not v.equal]
    head = (f"--native {backend}={path}: {len(verdicts) - len(wrong)} of {len(verdicts)} parameters equal "
            f"the canonical weights of {source}")
    lines = [head + ("" if wrong else " — the conversion is right")]
    for v in wrong:
        size = f"max|Δ|={v.max_abs:.1e}" if v.max_abs is not None else "shape differs"
        if not v.explained_by:
            lines.append(f"  ✗ {v.name} {size} — no known mistake explains it")
            continue
        names = " or ".join(f"{n}{f' ({d})' if d else ''}" for n, d in v.explained_by)
        lines.append(f"  ✗ {v.name} {size} — {names}")
    seen = []
    for v in wrong:
        for n, d in v.explained_by:
            if (n, d) not in seen:
                seen.append((n, d))
                lines.append(f"    {n}{f' ({d})' if d else ''}: {mistake(n).explain(d)}")
    return lines
