"""The worker side of ``compare.py train``: what an adapter's training loop (``harness.adapter.Adapter.train``)
records, read back into canonical names. The coordinator's side (the float64 update rules, the checks) is
``harness.optim`` and ``harness.train``; this module is imported only in a worker.
"""

from __future__ import annotations

from harness.adapter import Result
from harness.optim import OPTIMIZERS


def run_training(adapter, request):
    """Serve one "train" request (harness.adapter.Request): every step's loss, gradients, parameters, state
    and optimizer state, canonical, from the adapter's loop (harness.adapter.Adapter.train)."""
    import numpy as np


    spec, arrays = request.spec, request.arrays
    model, slots, inputs = adapter.prepare(request)
    native = [adapter.to_native_layout(arrays[f"target:{k}"], spec.layout_of(k)) for k in spec.outputs]
    # an output held as one array per layer (recurrent states) is several arrays: each weighs its share,
    # so that the loss is still the mean over the whole output
    targets = [(t, 1.0 / len(n)) if isinstance(n, list) else (n, 1.0) for n in native
               for t in (n if isinstance(n, list) else [n])]
    initial = {k: arrays[f"param:{k}"] for k in spec.params}
    fused = {s.canonical: _kept(s) for s in slots if not s.constant and len(s.sources) > 1
             and not _invertible(s, spec)}
    by_name = {s.canonical: s for s in slots}
    copies = {s.canonical for s in slots if s.copy_of}
    opt = OPTIMIZERS[request.optimizer]
    result = {}
    for k, step in enumerate(adapter.train(request, model, slots, inputs, targets), 1):
        result[f"step{k}:loss"] = np.asarray(step.loss, dtype=np.float64)
        for kind, prefix in (("grads", "grad:"), ("params", ""), ("state", "state:")):
            # a second copy of a tied parameter (Slot.copy_of) adds its gradient to the parameter's; its
            # value and optimizer state are its own, not the parameter's: read from the first holder only
            values = {name: v for name, v in getattr(step, kind).items() if v is not None
                      and (kind == "grads" or name not in copies)}
            read = canonical_params(values, by_name, fused, initial) if kind == "params" else \
                canonical(values, by_name)
            for name, value in read.items():
                result[f"step{k}:{prefix}{name}"] = value
        for name in opt.state_names:
            values = {label: v for (n, label), v in step.optimizer.items() if n == name and label not in copies}
            for param, value in canonical(values, by_name).items():
                result[f"step{k}:{name}:{param}"] = value
    return Result(result, adapter.inventory(slots))


def canonical(values: dict, by_name: dict) -> dict:
    """Native values by slot label -> canonical ones: a slot computed from several canonical parameters
    (PyTorch's packed in_proj, one gate block of a stacked weight) gives each its part, summed."""
    import numpy as np

    out = {}
    for label, value in values.items():
        for name, part in by_name[label].gradients(np.asarray(value)).items():
            out[name] = out[name] + part if name in out else np.asarray(part)
    return out


def _kept(slot) -> str:
    """The source a fused value is read into: ``bias_ih`` (PyTorch with ``bias_hh`` frozen)."""
    return next((c for c in slot.sources if "bias_ih" in c), slot.sources[0])


def canonical_params(values: dict, by_name: dict, fused: dict, initial: dict) -> dict:
    """Parameter values after a step, native -> canonical. A fused slot (one native ``b_ih + b_hh``) cannot
    be split, so it is read as the one PyTorch model it is exactly equivalent to, at every step: ``bias_hh``
    held at its initial value and ``bias_ih`` = the fused value minus it (docs/conventions/seq.md trap 1,
    the frozen-``bias_hh`` recipe). ``bias_ih`` is then checked exactly, and ``bias_hh`` shows what no
    one-bias framework can do: move both. Its backend declares that divergence, with its size."""
    import numpy as np

    out = canonical({label: v for label, v in values.items() if label not in fused}, by_name)
    for label, value in values.items():
        if label not in fused:
            continue
        slot, kept = by_name[label], fused[label]
        zeros = {c: np.zeros_like(initial[c]) for c in slot.sources}
        held = {**{c: initial[c] for c in slot.sources}, kept: zeros[kept]}
        # each held source's block as this slot reads it; the kept source takes the rest of the value
        parts = {c: slot.gradients(np.asarray(slot.native_value({**zeros, c: held[c]})))[c]
                 for c in slot.sources if c != kept}
        parts[kept] = slot.gradients(np.asarray(value) - np.asarray(slot.native_value(held)))[kept]
        for name, part in parts.items():
            out[name] = out[name] + part if name in out else np.asarray(part)
    return out


def _invertible(slot, spec) -> bool:
    """Whether a slot's canonical parts can be read back from its native value (a packed projection can,
    a fused bias ``b_ih + b_hh`` cannot)."""
    import numpy as np

    g = np.random.default_rng(0)
    values = {c: g.standard_normal(spec.params[c].shape) for c in slot.sources}
    back = slot.gradients(np.asarray(slot.native_value(values)))
    return all(np.allclose(back[c], values[c]) for c in slot.sources)
