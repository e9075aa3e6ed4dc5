"""``--native FW=FILE``: a framework's own weights file, read the way the user's code reads it, mapped back to
canonical names and layouts through the adapter's slots, and diagnosed (``harness.diagnose``).

Worker side (``serve``, the "native" op of harness.worker): build the model as for a run and load the
canonical values (the slots then exist), load the user's file into it with the framework's own loader
(``backends/<fw>/native.py``: ``EXTENSIONS``, ``HOW``, ``load``, ``save``), read every slot's native
value back (``Adapter.read``) and map it to canonical names (a fused bias ``b_ih + b_hh`` is read as
``bias_ih`` with ``bias_hh`` held at its expected value, as harness.optim reads a trained one). The reply
holds ``native:<name>``, what the file says each canonical value is, and
``hyp:<mistake>.<detail>:<name>``, what each known mistake would have made of it.

Coordinator side (``ask``): one request to that framework's worker, then the verdicts.
"""

from __future__ import annotations

import importlib
import pathlib

import numpy as np

from harness import diagnose


def formats(backend: str):
    """(file extensions, how the user's code loads them) of ``backend``'s own weights files; imports no
    framework."""
    module = importlib.import_module(f"backends.{backend}.native")
    return module.EXTENSIONS, module.HOW


# --- worker side ---------------------------------------------------------------------------------------
def readback(slots, natives: dict, expected: dict, spec) -> dict:
    """{slot label: native value} -> {canonical name: value}."""
    from harness.training import _invertible, _kept, canonical_params

    by_name = {s.canonical: s for s in slots}
    fused = {s.canonical: _kept(s) for s in slots if not s.constant and len(s.sources) > 1
             and not _invertible(s, spec)}
    return canonical_params(natives, by_name, fused, expected)


def serve(adapter, backend: str, request, req: dict):
    """The "native" op: read the file ``req["native"]``. With ``req["write"]``: write it instead, from the
    canonical values, making the mistake ``req.get("mistake")`` ("<mistake>.<detail>") on purpose (the
    tests and examples make a framework's own file with a known conversion mistake this way)."""
    from harness.adapter import Result

    spec, arrays = request.spec, request.arrays
    model, slots, _ = adapter.prepare(request)
    fw = importlib.import_module(f"backends.{backend}.native")
    if req.get("write"):
        write(adapter, fw, model, slots, arrays, spec, req)
        return Result({}, adapter.inventory(slots))
    model = fw.load(model, slots, req["native"], request.dtype)
    natives = adapter.read(model, slots)
    expected = {k.split(":", 1)[1]: np.asarray(v, np.float64) for k, v in arrays.items()
                if k.split(":", 1)[0] in ("param", "const", "state")}
    found = readback(slots, natives, expected, spec)
    result = {f"native:{k}": v for k, v in found.items()}
    for key, values in diagnose.hypotheses(slots, expected, spec, lambda n: readback(slots, n, expected,
                                                                                        spec)).items():
        result.update({f"hyp:{key}:{k}": v for k, v in values.items()})
    return Result(result, adapter.inventory(slots))


def write(adapter, fw, model, slots, arrays, spec, req) -> None:
    values = {k.split(":", 1)[1]: np.asarray(v) for k, v in arrays.items()
              if k.split(":", 1)[0] in ("param", "const", "state")}
    natives = {s.canonical: np.asarray(s.native_value(values)) for s in slots}
    if req.get("mistake"):
        name, _, detail = req["mistake"].partition(".")
        made = {s.canonical: native for s in slots for d, native in diagnose.mistake(name).tries(s, values, spec)
                if d == detail and np.shape(native) == tuple(s.shape)}
        if not made:
            raise ValueError(f"the mistake {req['mistake']} applies to no parameter of {spec.name}")
        natives.update(made)
    adapter.load(model, slots, {k: v.astype(req["dtype"]) for k, v in natives.items()})
    fw.save(model, slots, req["native"])


# --- coordinator side -------------------------------------------------------------------------------------
def ask(pool, name: str, backend: str, path: str, arrays_path, out_path, dtype: str, mode: str, seed: int,
        on_event=None):
    """({canonical name: value read from the file}, {mistake key: {name: value}}), or a one-line reason
    the framework could not load it (str)."""
    req = {"op": "native", "spec": name, "dtype": dtype, "mode": mode, "seed": seed, "arrays": str(arrays_path),
           "out": str(out_path), "native": str(pathlib.Path(path).resolve())}
    reply = pool.run({backend: [req]}, on_event)[(backend, 0)]
    if reply.status != "ok":
        return reply.reason or reply.status
    from harness.protocol import load_arrays

    arrays = load_arrays(out_path)
    found = {k.split(":", 1)[1]: v for k, v in arrays.items() if k.startswith("native:")}
    hyps = {}
    for k, v in arrays.items():
        if k.startswith("hyp:"):
            key, _, param = k[4:].partition(":")
            hyps.setdefault(key, {})[param] = v
    return found, hyps
