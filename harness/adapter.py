"""What every backend adapter shares: the request flow, the parameter slots and their checks.

An adapter (``backends/<fw>/adapter.py``, class ``Adapter``) supplies five framework-specific steps:

    build(factory, spec, inputs, dtype)   -> a model whose parameters exist (shapes known)
    slots(model, spec)                    -> one Slot per native parameter or constant
    load(model, slots, values)            -> copy canonical values in (through each slot's to_native)
    forward_backward(model, spec, slots, inputs, cotangents, want_taps)
                                          -> (outputs, input grads, slot grads, taps), all native
    read_state(model, slots)              -> {canonical: native value} of the state slots, after it
    train(model, spec, slots, inputs, targets, config, steps) -> per step, native values (harness.optim)
    version()                             -> the framework's version string

The mode of a request ("train" or "eval", ``self.mode``) is set before ``build``; each adapter applies it
with its framework's own switch. State buffers (BatchNorm's running statistics) are non-trainable slots
that the spec lists in ``state``; everything else non-trainable is a constant.

Everything else (layouts of inputs and outputs, checking that native and canonical parameters match one
to one with the right shapes, mapping gradients back) happens here, once, for every framework.
"""

from __future__ import annotations

import dataclasses
import inspect
from collections.abc import Callable

import numpy as np

from harness import layout
from harness.protocol import output_key


class BindingError(Exception):
    """The realisation's parameters do not match the spec's (names, count or shapes)."""


# Mistakes an adapter can be told to make on purpose (Variant.fault), so that tests and the trap catalogue
# can prove the harness catches them. Each is what a plausible hand-written weight map gets wrong.
FAULTS = {
    "conv_kernel_untransposed": "conv weight (O, I, kH, kW) reshaped, not transposed, to (kH, kW, I, O)",
    "flatten_rows_unpermuted": "a Dense after an NHWC Flatten loaded with plain W.T (rows in (C, H, W) order)",
    "gru_gates_zrn": "GRU gate blocks read in Keras's (z, r, n) order: PyTorch's reset and update gates swapped",
    "gru_gate_grads_unordered": "GRU weights loaded right, their gradients mapped back without the gate reorder",
    "rnn_bias_hh_dropped": "a recurrent layer's bias_hh never loaded: a two-bias framework keeps zeros there, a "
                           "one-bias framework gets bias_ih instead of bias_ih + bias_hh",
    "rnn_bias_hh_grad_dropped": "a recurrent layer's biases loaded right, but no gradient handed to bias_hh (a "
                                "one-bias framework gives its bias's gradient to bias_ih only)",
}


def _same(a):
    return a


@dataclasses.dataclass
class Slot:
    """One native parameter (or constant) and how it relates to the canonical ones.

    Usually one canonical parameter maps to one native one through ``to_native``/``from_native``. A slot
    with ``sources`` is computed from those canonical parameters instead: ``to_native(*values)`` gives
    its value and ``from_native(grad)`` one canonical-shaped gradient per source. The gradients of every
    slot that reads a canonical parameter are summed: a fused bias ``b_ih + b_hh`` hands its gradient to
    both, and the per-gate kernels of one stacked ``weight_ih`` each fill their own rows. ``canonical`` is
    then a label unique among the slots, e.g. ``rnn.weight_ih_l0[r]``.
    """

    canonical: str  # canonical name (spec.params or spec.constants key), or a label when sources are set
    native: str  # how a reader of the realisation would name it, e.g. "params/hidden/kernel"
    shape: tuple  # native shape
    handle: object = None  # whatever the adapter needs to assign and read it
    to_native: Callable = _same
    from_native: Callable = _same
    constant: bool = False  # not trainable: a constant, or a state buffer when ``state`` is set
    state: bool = False  # a state buffer (spec.state), e.g. a running mean; set by the base class
    sources: tuple = ()  # canonical names this native value is computed from (see above)

    def native_value(self, values: dict):
        return self.to_native(*(values[c] for c in self.sources or (self.canonical,)))

    def gradients(self, grad) -> dict:
        """Canonical name -> this slot's contribution to its gradient."""
        if not self.sources:
            return {self.canonical: self.from_native(grad)}
        return dict(zip(self.sources, self.from_native(grad)))


@dataclasses.dataclass
class Result:
    arrays: dict
    native_params: list


def dense_slots(prefix: str, native_prefix: str, kernel_shape, bias_shape, spec, handles=(None, None),
                fault=None):
    """Slots of a Dense layer that stores its kernel (in, out); handles the flatten-after-NHWC case."""
    weight = f"{prefix}weight"
    param = spec.params.get(weight)
    chw = param.flattened_from if param is not None and fault != "flatten_rows_unpermuted" else None
    if chw:
        to_native = lambda w, chw=chw: layout.flattened_dense_kernel(w, chw)  # noqa: E731
        from_native = lambda k, chw=chw: layout.flattened_dense_weight(k, chw)  # noqa: E731
    else:
        to_native, from_native = layout.dense_kernel, layout.dense_weight
    slots = [Slot(weight, f"{native_prefix}kernel", tuple(kernel_shape), handles[0], to_native, from_native)]
    if bias_shape is not None:
        slots.append(Slot(f"{prefix}bias", f"{native_prefix}bias", tuple(bias_shape), handles[1]))
    return slots


def conv_slots(prefix: str, native_prefix: str, kernel_shape, bias_shape, handles=(None, None), fault=None):
    """Slots of a Conv layer that stores its kernel (kH, kW, I, O)."""
    if fault == "conv_kernel_untransposed":  # right shapes, scrambled values; mapped back the same way
        to_native = lambda w: w.reshape(w.shape[2], w.shape[3], w.shape[1], w.shape[0])  # noqa: E731
        from_native = lambda k: k.reshape(k.shape[3], k.shape[2], k.shape[0], k.shape[1])  # noqa: E731
    else:
        to_native, from_native = layout.conv_kernel, layout.conv_weight
    slots = [Slot(f"{prefix}weight", f"{native_prefix}kernel", tuple(kernel_shape), handles[0],
                  to_native, from_native)]
    if bias_shape is not None:
        slots.append(Slot(f"{prefix}bias", f"{native_prefix}bias", tuple(bias_shape), handles[1]))
    return slots


ATTENTION_ROLES = {"query": "W_q", "key": "W_k", "value": "W_v", "output": "W_o"}


def heads_slots(prefix: str, role: str, native_prefix: str, kernel_shape, bias_shape, handles=(None, None)):
    """Slots of one projection of a built-in multi-head attention layer that keeps a head axis (Keras,
    flax): by rule 4 below it is the book's ``W_q``, ``W_k``, ``W_v`` or ``W_o`` Linear."""
    name = f"{prefix}{ATTENTION_ROLES[role]}."
    if role == "output":  # kernel (h, d, E_out), bias (E_out,)
        heads = kernel_shape[0]
        kernel = (lambda w: layout.heads_out_kernel(w, heads)), layout.heads_out_weight
        bias = _same, _same
    else:  # kernel (E_in, h, d), bias (h, d)
        heads = kernel_shape[1]
        kernel = (lambda w: layout.heads_kernel(w, heads)), layout.heads_weight
        bias = (lambda b: b.reshape(heads, -1)), (lambda g: g.reshape(-1))
    slots = [Slot(f"{name}weight", f"{native_prefix}kernel", tuple(kernel_shape), handles[0], *kernel)]
    if bias_shape is not None:
        slots.append(Slot(f"{name}bias", f"{native_prefix}bias", tuple(bias_shape), handles[1], *bias))
    return slots


def check_slots(spec, backend: str, slots: list) -> None:
    """Native and canonical parameters must match one to one, with shapes that the transforms agree on."""
    where = f"{spec.name}[{backend}]"
    labels = [s.canonical for s in slots]
    if len(set(labels)) != len(labels):
        raise BindingError(f"{where}: two native parameters carry the same label "
                           f"{sorted({n for n in labels if labels.count(n) > 1})}")
    for kind, declared, found in (
        ("parameter", spec.params, [s for s in slots if not s.constant]),
        ("constant", spec.constants, [s for s in slots if s.constant and not s.state]),
        ("state buffer", spec.state, [s for s in slots if s.state]),
    ):
        names = [s.canonical for s in found if not s.sources]
        read = {c for s in found for c in s.sources}  # computed from several, or parts of one: may repeat
        dupes = sorted({n for n in names if names.count(n) > 1} | (set(names) & read))
        missing = [n for n in declared if n not in names and n not in read]
        extra = [f"{c} (native {s.native})" for s in found for c in (s.sources or (s.canonical,))
                 if c not in declared]
        if dupes or missing or extra:
            raise BindingError(
                f"{where}: {kind}s do not match the spec: "
                + "; ".join(p for p in (
                    f"missing {missing}" if missing else "",
                    f"not in the spec {extra}" if extra else "",
                    f"mapped twice {dupes}" if dupes else "") if p))
        for s in found:
            canonical = [tuple(declared[c].shape) for c in s.sources or (s.canonical,)]
            want = tuple(np.shape(s.native_value({c: np.zeros(declared[c].shape) for c in s.sources or
                                                  (s.canonical,)})))
            if want != tuple(s.shape):
                shown = canonical[0] if len(canonical) == 1 else canonical
                raise BindingError(f"{where}: {kind} {s.canonical}: expected native shape {want} for {s.native} "
                                   f"(canonical {shown}), but it is {tuple(s.shape)}")


def fit_cotangent(cotangent, native_shape):
    """The cotangent to send back through an output of ``native_shape``: the spec's, or zeros when the
    realisation's output has another shape. The backward pass then runs (its zero gradients fail their
    checks) and the output's shape check names both shapes, rather than the framework refusing the
    cotangent with a message of its own (a 'valid' conv ported as flax's default 'SAME', say)."""
    if tuple(cotangent.shape) == tuple(native_shape):
        return cotangent
    return np.zeros(tuple(native_shape), dtype=cotangent.dtype)


class Adapter:
    """Base class: the request flow shared by every framework."""

    name = ""
    nhwc = False  # True when the realisations hold feature maps as NHWC
    batch_major = False  # True when they hold sequences ("TNC") as (N, T, C)
    states_per_layer = False  # True when they hold recurrent states ("LNH") as one (N, H) per layer/direction

    # --- layouts of inputs and outputs (see harness.spec.Input) -----------------------------------------
    def to_native_layout(self, a, layout_name):
        """The native form of a canonical array: an array, or a list of arrays for per-layer states."""
        if self.nhwc and layout_name == "NCHW":
            return layout.nchw_to_nhwc(a)
        if self.batch_major and layout_name == "TNC":
            return layout.swap_time_batch(a)
        if self.states_per_layer and layout_name == "LNH":
            return layout.split_states(a)
        return a

    def to_canonical_layout(self, a, layout_name):
        if self.nhwc and isinstance(layout_name, tuple) and layout_name[0] == "flat":
            return a[:, np.argsort(layout.flatten_permutation(layout_name[1]))]  # (h, w, c) -> (c, h, w) order
        if self.nhwc and layout_name == "NCHW":
            return layout.nhwc_to_nchw(a)
        if self.batch_major and layout_name == "TNC":
            return layout.swap_time_batch(a)
        if self.states_per_layer and layout_name == "LNH":
            return layout.stack_states(a)
        return a

    # --- the flow ----------------------------------------------------------------------------------
    fault = None  # the Variant.fault of the request being served
    mode = "eval"  # the mode of the request being served: "train" or "eval"
    seed = 0  # seeds the framework's own random stream (dropout masks) in training mode

    def prepare(self, spec, factory, arrays: dict, dtype: str, fault=None, mode="eval", seed=0):
        """Build the model in ``mode``, map its slots one to one and load the canonical values."""
        if fault is not None and fault not in FAULTS:
            raise ValueError(f"unknown fault {fault!r}. Expected one of: {', '.join(FAULTS)}")
        if mode not in spec.modes:
            raise ValueError(f"{spec.name} has no mode {mode!r}. Expected one of: {', '.join(spec.modes)}")
        self.fault, self.mode, self.seed = fault, mode, seed
        inputs = {k: self.to_native_layout(arrays[f"input:{k}"], i.layout) for k, i in spec.inputs.items()}
        values = {**{k: arrays[f"param:{k}"] for k in spec.params},
                  **{k: arrays[f"const:{k}"] for k in spec.constants},
                  **{k: arrays[f"state:{k}"] for k in spec.state}}
        model = self.build(factory, spec, inputs, dtype)
        slots = self.slots(model, spec)
        declared = {**spec.params, **spec.constants, **spec.state}
        for s in slots:
            s.state = s.constant and s.canonical in spec.state
            p = declared.get(s.canonical)
            if self.nhwc and p is not None and p.layout == "NCHW" and s.to_native is _same:  # (1, C, 1, 1)
                s.to_native, s.from_native = layout.nchw_to_nhwc, layout.nhwc_to_nchw
        check_slots(spec, self.name, slots)
        self.load(model, slots, {s.canonical: np.asarray(s.native_value(values)).astype(dtype) for s in slots})
        return model, slots, inputs

    def run(self, spec, factory, arrays: dict, dtype: str, taps: bool = False, fault=None, mode="eval",
            seed=0) -> Result:
        model, slots, inputs = self.prepare(spec, factory, arrays, dtype, fault, mode, seed)
        # One cotangent per array the model returns: an output held per layer (states) is several arrays.
        native_cts = [self.to_native_layout(arrays[f"cotangent:{k}"], spec.layout_of(k)) for k in spec.outputs]
        cotangents = [c for ct in native_cts for c in (ct if isinstance(ct, list) else [ct])]
        outs, input_grads, slot_grads, tapped = self.forward_backward(model, spec, slots, inputs, cotangents, taps)

        if len(outs) != len(cotangents):
            raise BindingError(f"{spec.name}[{self.name}]: the model returned {len(outs)} arrays, expected "
                               f"{len(cotangents)} for the outputs {spec.outputs}")
        result, i = {}, 0
        for k, ct in zip(spec.outputs, native_cts):
            n = len(ct) if isinstance(ct, list) else 1
            native = [np.asarray(o) for o in outs[i:i + n]] if isinstance(ct, list) else np.asarray(outs[i])
            result[output_key(spec, k)] = self.to_canonical_layout(native, spec.layout_of(k))
            i += n
        for k, g in input_grads.items():
            if g is not None:
                key = "grad:input" if len(spec.inputs) == 1 else f"grad:input:{k}"
                result[key] = self.to_canonical_layout(np.asarray(g), spec.inputs[k].layout)
        grads, absent = {}, set()
        for s in slots:
            if s.constant:
                continue
            g = slot_grads.get(s.canonical)
            if g is None:  # a gradient read from several slots is absent if any of them has none
                absent.update(s.sources or (s.canonical,))
                continue
            for c, part in s.gradients(np.asarray(g)).items():
                grads[c] = grads[c] + part if c in grads else np.asarray(part)
        for k, g in grads.items():
            if k not in absent:
                result[f"grad:{k}"] = g
        for k, t in (tapped or {}).items():
            result[f"tap:{k}"] = self.to_canonical_layout(np.asarray(t), spec.taps.get(k))
        stateful = [s for s in slots if s.state]
        if stateful:
            after = self.read_state(model, stateful)
            result.update({f"state:{s.canonical}": s.from_native(np.asarray(after[s.canonical])) for s in stateful})
        return Result(result, self.inventory(slots))

    @staticmethod
    def inventory(slots) -> list:
        return [{"canonical": s.canonical, "native": s.native, "shape": list(s.shape),
                 **({"sources": list(s.sources)} if s.sources else {})} for s in slots]

    # --- to implement per framework ------------------------------------------------------------------
    def version(self) -> str:
        raise NotImplementedError

    def build(self, factory, spec, inputs, dtype):
        raise NotImplementedError

    def slots(self, model, spec) -> list:
        raise NotImplementedError

    def load(self, model, slots, values) -> None:
        raise NotImplementedError

    def forward_backward(self, model, spec, slots, inputs, cotangents, want_taps):
        raise NotImplementedError

    def read_state(self, model, slots) -> dict:
        raise NotImplementedError(f"{self.name}: reading state buffers is not implemented")

    def train(self, model, spec, slots, inputs, targets, opt, steps, trap=None) -> list:
        """``steps`` steps of the framework's own optimizer ``opt`` (harness.optim.Optimizer) on
        ``sum(weight * mean((output - target) ** 2))``, ``targets`` being (native array, weight) pairs.
        Per step: {"loss": float, "grads": {canonical: native or None} (the loss gradient, before the
        optimizer), "params": {canonical: native} (after it), "state": {canonical: native},
        "optimizer": {(state name, canonical): native, in PyTorch's sign}}. ``trap``: a
        harness.optim.TRAPS name whose mistake to make on purpose."""
        raise NotImplementedError(f"{self.name}: the training step is not implemented")


# --- naming rules: native structure -> canonical (PyTorch state_dict) names -----------------------------
#
# 1. A sub-module held in attribute ``a`` is ``a`` (realisations use the PyTorch attribute names).
# 2. A list of sub-modules held in attribute ``a`` is numbered ``a.0, a.1, ...``, like ``nn.ModuleList``;
#    when that list is the module's only sub-modules (a Sequential, or d2l's MySequential) the items are
#    numbered directly under the module (``0, 1, ...``), like ``nn.Sequential``.
# 3. A layer that folds its activation in (Keras/Gluon ``Dense(..., activation='relu')``) stands for two
#    PyTorch modules (Linear, ReLU), so it advances the numbering by two: ``[Dense(relu), Dense]`` is 0, 2.
# 4. A framework's built-in multi-head attention layer stands for the book's ``MultiHeadAttention`` (d2l
#    §11.5): its query, key, value and output projections are ``W_q``, ``W_k``, ``W_v``, ``W_o`` (PyTorch's
#    packed ``in_proj_weight`` holds the first three).
# 5. A recurrent layer is PyTorch's ``nn.RNN/GRU/LSTM``: its parameters are ``weight_ih_l{k}``, ... (see
#    harness.recurrent). A list of recurrent layers in attribute ``a`` (flax), or the stacked cells of one
#    Keras RNN, are the layers k = 0, 1, ... of one PyTorch module ``a``; the backward half of a
#    bidirectional layer adds ``_reverse``.
# 6. A Keras ``ZeroPadding2D`` in a sequence is the ``padding=`` of the PyTorch layer after it (Keras
#    convolutions and poolings pad only 'valid' or 'same'), so it takes no number of its own.
# The adapters then check that the names found this way and the spec's names match one to one.


def sequence_numbers(folded: list) -> list:
    """PyTorch's index of each child of a sequence, given whether each folds an activation in (rule 3), or
    how many PyTorch modules it stands for: 0 for a Keras ``ZeroPadding2D``, which is the ``padding=``
    argument of the layer after it (rule 6)."""
    index, out = 0, []
    for f in folded:
        out.append(index)
        index += {True: 2, False: 1}.get(f, f) if isinstance(f, bool) else f
    return out


def join(prefix: str, name) -> str:
    return f"{prefix}{name}."


def tap_points(walked, wanted) -> dict:
    """Where each wanted tap is read, for frameworks whose layers may fold their activation in.

    ``walked``: [(canonical prefix, layer, folds_activation)]. Returns tap -> (layer, "out" | "pre"): a
    layer's output, or, for a folded layer, the value before its activation (what PyTorch's Linear gives);
    the folded activation itself stands for the next PyTorch module, so when the layer is numbered ``k``
    the tap ``k+1`` is its output (rule 3 above).
    """
    points = {}
    for prefix, layer, folded in walked:
        name = prefix[:-1]
        points[name] = (layer, "pre" if folded else "out")
        head, _, last = name.rpartition(".")
        if folded and last.isdigit():
            points[f"{head}.{int(last) + 1}" if head else str(int(last) + 1)] = (layer, "out")
    return {k: v for k, v in points.items() if k in wanted}


def leaves(value) -> list:
    """The arrays a model returned, in order, nested tuples and lists flattened: PyTorch's LSTM returns
    ``(output, (h_n, c_n))``, Keras's ``[output, h, c]``, Gluon's ``(output, [h, c])``."""
    if isinstance(value, (tuple, list)):
        return [leaf for v in value for leaf in leaves(v)]
    return [value]


def is_function(factory, spec) -> bool:
    """True when the realisation is a plain function of the spec's inputs, such as d2l's ``masked_softmax``
    (its positional parameters are named like the inputs), rather than a model class or a function that
    builds a model; adapters then wrap it in a module without parameters."""
    if not inspect.isfunction(factory) or not spec.inputs:
        return False
    names = list(inspect.signature(factory).parameters)
    return names[:len(spec.inputs)] == list(spec.inputs)
