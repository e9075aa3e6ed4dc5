"""What every backend adapter shares: the request flow, the parameter slots and their checks.

An adapter (``backends/<fw>/adapter.py``, class ``Adapter``) supplies five framework-specific steps:

    build(factory, spec, inputs, dtype)   -> a model whose parameters exist (shapes known)
    slots(model, spec)                    -> one Slot per native parameter or constant
    load(model, slots, values)            -> copy canonical values in (through each slot's to_native)
    forward_backward(model, spec, slots, inputs, cotangents, want_taps)
                                          -> (outputs, input grads, slot grads, taps), all native
    version()                             -> the framework's version string

Everything else (layouts of inputs and outputs, checking that native and canonical parameters match one
to one with the right shapes, mapping gradients back) happens here, once, for every framework.
"""

from __future__ import annotations

import dataclasses
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
}


def _same(a):
    return a


@dataclasses.dataclass
class Slot:
    canonical: str  # canonical name (spec.params or spec.constants key)
    native: str  # how a reader of the realisation would name it, e.g. "params/hidden/kernel"
    shape: tuple  # native shape
    handle: object = None  # whatever the adapter needs to assign and read it
    to_native: Callable = _same
    from_native: Callable = _same
    constant: bool = False


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


def check_slots(spec, backend: str, slots: list) -> None:
    """Native and canonical parameters must match one to one, with shapes that the transforms agree on."""
    where = f"{spec.name}[{backend}]"
    for kind, declared, found in (
        ("parameter", spec.params, [s for s in slots if not s.constant]),
        ("constant", spec.constants, [s for s in slots if s.constant]),
    ):
        names = [s.canonical for s in found]
        dupes = sorted({n for n in names if names.count(n) > 1})
        missing = [n for n in declared if n not in names]
        extra = [f"{s.canonical} (native {s.native})" for s in found if s.canonical not in declared]
        if dupes or missing or extra:
            raise BindingError(
                f"{where}: {kind}s do not match the spec: "
                + "; ".join(p for p in (
                    f"missing {missing}" if missing else "",
                    f"not in the spec {extra}" if extra else "",
                    f"mapped twice {dupes}" if dupes else "") if p))
        for s in found:
            want = tuple(s.to_native(np.zeros(declared[s.canonical].shape)).shape)
            if want != tuple(s.shape):
                raise BindingError(f"{where}: {kind} {s.canonical}: expected native shape {want} for {s.native} "
                                   f"(canonical {tuple(declared[s.canonical].shape)}), but it is {tuple(s.shape)}")


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

    # --- layouts of inputs and outputs -------------------------------------------------------------
    def to_native_layout(self, a, layout_name):
        return layout.nchw_to_nhwc(a) if self.nhwc and layout_name == "NCHW" else a

    def to_canonical_layout(self, a, layout_name):
        if self.nhwc and isinstance(layout_name, tuple) and layout_name[0] == "flat":
            return a[:, np.argsort(layout.flatten_permutation(layout_name[1]))]  # (h, w, c) -> (c, h, w) order
        return layout.nhwc_to_nchw(a) if self.nhwc and layout_name == "NCHW" else a

    # --- the flow ----------------------------------------------------------------------------------
    fault = None  # the Variant.fault of the request being served

    def run(self, spec, factory, arrays: dict, dtype: str, taps: bool = False, fault=None) -> Result:
        if fault is not None and fault not in FAULTS:
            raise ValueError(f"unknown fault {fault!r}. Expected one of: {', '.join(FAULTS)}")
        self.fault = fault
        inputs = {k: self.to_native_layout(arrays[f"input:{k}"], i.layout) for k, i in spec.inputs.items()}
        values = {**{k: arrays[f"param:{k}"] for k in spec.params},
                  **{k: arrays[f"const:{k}"] for k in spec.constants}}
        cotangents = [self.to_native_layout(arrays[f"cotangent:{k}"], spec.output_layout) for k in spec.outputs]

        model = self.build(factory, spec, inputs, dtype)
        slots = self.slots(model, spec)
        check_slots(spec, self.name, slots)
        self.load(model, slots, {s.canonical: s.to_native(values[s.canonical]).astype(dtype) for s in slots})
        outs, input_grads, slot_grads, tapped = self.forward_backward(model, spec, slots, inputs, cotangents, taps)

        if len(outs) != len(spec.outputs):
            raise BindingError(f"{spec.name}[{self.name}]: the model returned {len(outs)} outputs, "
                               f"the spec declares {len(spec.outputs)} {spec.outputs}")
        result = {output_key(spec, k): self.to_canonical_layout(np.asarray(o), spec.output_layout)
                  for k, o in zip(spec.outputs, outs)}
        for k, g in input_grads.items():
            if g is not None:
                key = "grad:input" if len(spec.inputs) == 1 else f"grad:input:{k}"
                result[key] = self.to_canonical_layout(np.asarray(g), spec.inputs[k].layout)
        by_name = {s.canonical: s for s in slots}
        for k, g in slot_grads.items():
            if g is not None:
                result[f"grad:{k}"] = by_name[k].from_native(np.asarray(g))
        for k, t in (tapped or {}).items():
            result[f"tap:{k}"] = self.to_canonical_layout(np.asarray(t), spec.taps.get(k))
        inventory = [{"canonical": s.canonical, "native": s.native, "shape": list(s.shape)}
                     for s in slots]
        return Result(result, inventory)

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


# --- naming rules: native structure -> canonical (PyTorch state_dict) names -----------------------------
#
# 1. A sub-module held in attribute ``a`` is ``a`` (realisations use the PyTorch attribute names).
# 2. A list of sub-modules held in attribute ``a`` is numbered ``a.0, a.1, ...``, like ``nn.ModuleList``;
#    when that list is the module's only sub-modules (a Sequential, or d2l's MySequential) the items are
#    numbered directly under the module (``0, 1, ...``), like ``nn.Sequential``.
# 3. A layer that folds its activation in (Keras/Gluon ``Dense(..., activation='relu')``) stands for two
#    PyTorch modules (Linear, ReLU), so it advances the numbering by two: ``[Dense(relu), Dense]`` is 0, 2.
# The adapters then check that the names found this way and the spec's names match one to one.


def sequence_numbers(folded: list) -> list:
    """PyTorch's index of each child of a sequence, given whether each folds an activation in."""
    index, out = 0, []
    for f in folded:
        out.append(index)
        index += 2 if f else 1
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
