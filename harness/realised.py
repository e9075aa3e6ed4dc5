"""A reference that is a realisation: ``Spec(reference="torch")``, for a user's block without NumPy code.

The PyTorch realisation, run in float64 by the torch worker, then gives everything the NumPy reference
gives otherwise, in two requests before the comparison:

1. a float64 ``run`` of the block on the case (cotangents are not known yet: a placeholder of shape ()
   makes the adapter send zeros back, ``harness.adapter.fit_cotangent``): the outputs, taps and state
   after the call, from which the cotangents are then drawn as for any block;
2. a ``losses`` request: the loss ``sum(output * cotangent)`` at every point ``q + t u`` that the
   directional check may ask for. ``checks.reference_directions`` draws its candidate directions and
   decides which are smooth as it goes; here it runs once with a loss that is never smooth, which
   records every candidate it would draw, the worker evaluates them all in one request, and it runs
   again on those values. Arrays travel as ``.npz`` (``harness.protocol``), the directions as
   ``probe<i>:u``.

The torch column is still compared: its float32 run against its own float64 run, its gradients against
the other frameworks' median and along the directions. In float64 it agrees with itself by construction;
docs/own-blocks.md says why a NumPy reference remains the stronger check.
"""

from __future__ import annotations

import numpy as np

from harness import checks
from harness.data import make_case
from harness.protocol import load_arrays, output_key, save_arrays


def needs(todo) -> set:
    """The backends whose workers a run must start to compute its references (``todo``: resolve_names)."""
    return {spec.reference_backend for _, spec, _ in todo if spec.reference_backend}


def _float64(arrays: dict) -> dict:
    return {k: (v.astype(np.float64) if v.dtype.kind == "f" else v) for k, v in arrays.items()}


def references(pool, todo, seed: int, dtype: str, work, on_event=None, given=None) -> tuple[dict, dict, dict]:
    """({(name, mode): Case}, {(name, mode): [Direction]}, {name: (status, why)} for a spec whose
    reference could not be computed) for every spec in ``todo`` whose reference is a realisation;
    ``given``: the user's arrays by block (``--params``/``--inputs``, ``harness.data.draw_arrays``)."""
    given = given or {}
    mine = {name: spec for name, spec, _ in todo if spec.reference_backend}
    cases, directions, failed = {}, {}, {}
    if not mine:
        return cases, directions, failed
    # 1. the float64 run: outputs, taps, state
    jobs, slots = {}, []
    for name, spec in mine.items():
        for mode in spec.modes:
            draft = make_case(spec, seed, dtype, mode, given.get(name), computed=({}, {}))
            arrays = _float64({k: v for k, v in draft.arrays().items() if not k.startswith("cotangent:")})
            arrays.update({f"cotangent:{k}": np.zeros(()) for k in spec.outputs})  # the adapter sends zeros
            path = work / f"{name}.{mode}.{dtype}.reference.npz"
            save_arrays(path, arrays)
            jobs.setdefault(spec.reference_backend, []).append(
                {"spec": spec.name, "dtype": "float64", "mode": mode, "seed": seed, "arrays": str(path),
                 "taps": True, "out": str(work / f"{name}.{mode}.{dtype}.reference.out.npz")})
            slots.append((spec.reference_backend, name, mode))
    replies = pool.run(jobs, on_event)
    index = {b: 0 for b in jobs}
    probes, asked = {}, {}
    for b, name, mode in slots:
        i, index[b] = index[b], index[b] + 1
        reply, spec = replies[(b, i)], mine[name]
        if reply.status != "ok":
            failed[name] = (reply.status, f"reference ({spec.reference_label}) did not run: {reply.reason}")
            continue
        got = load_arrays(jobs[b][i]["out"])
        outputs = {k: got[output_key(spec, k)] for k in spec.outputs if output_key(spec, k) in got}
        if len(outputs) != len(spec.outputs):
            failed[name] = ("error", f"reference ({spec.reference_label}) returned no {spec.outputs}")
            continue
        state = {k: got[f"state:{k}"] for k in spec.state if f"state:{k}" in got}
        case = make_case(spec, seed, dtype, mode, given.get(name), computed=(outputs, state))
        case.taps = {k.removeprefix("tap:"): v for k, v in got.items() if k.startswith("tap:")}
        cases[(name, mode)] = case
        # 2. every point the directional check may ask for
        recorded = []

        def record(kind, key, u, steps, recorded=recorded):
            recorded.append((kind, key, u.copy(), tuple(steps)))
            return [0.0, 1.0, 0.0, 1.0][:len(steps)]  # never smooth: every candidate is drawn

        checks.reference_directions(spec, case, seed, dtype, loss_along=record, at_zero=0.0)
        probes[(name, mode)] = recorded
        arrays = _float64(case.arrays())
        arrays.update({f"probe{j}:u": u for j, (_, _, u, _) in enumerate(recorded)})
        path = work / f"{name}.{mode}.{dtype}.probes.npz"
        save_arrays(path, arrays)
        asked.setdefault(b, []).append(
            {"op": "losses", "spec": spec.name, "dtype": "float64", "mode": mode, "seed": seed,
             "arrays": str(path), "out": str(work / f"{name}.{mode}.{dtype}.losses.npz"),
             "probes": [{"kind": kind, "key": key, "steps": list(steps)} for kind, key, _, steps in recorded]})
    replies = pool.run(asked, on_event) if asked else {}
    for (b, i), reply in replies.items():
        req = asked[b][i]
        name = next(n for n, s in mine.items() if s.name == req["spec"])
        key = (name, req["mode"])
        if reply.status != "ok":
            failed[name] = (reply.status, f"reference ({mine[name].reference_label}) did not run: {reply.reason}")
            continue
        losses = load_arrays(req["out"])
        table = {(kind, k, u.tobytes(), steps): list(losses[f"probe{j}:loss"])
                 for j, (kind, k, u, steps) in enumerate(probes[key])}
        case = cases[key]
        at_zero = float(sum(np.sum(case.outputs[k] * case.cotangents[k].astype(np.float64)) for k in case.outputs))
        directions[key] = checks.reference_directions(
            mine[name], case, seed, dtype, at_zero=at_zero,
            loss_along=lambda kind, k, u, steps, table=table: table[(kind, k, u.tobytes(), tuple(steps))])
    return cases, directions, failed


def losses(adapter, request, req: dict):
    """Serve a ``losses`` request in the worker: the float64 loss ``sum(output * cotangent)`` at
    ``q + t u`` for each probe (``kind`` "input" or "param", ``key``, ``steps``) and each t."""
    import dataclasses

    from harness.adapter import Result

    spec, arrays = request.spec, request.arrays
    out, native = {}, []
    for j, probe in enumerate(req["probes"]):
        where = f"{'input' if probe['kind'] == 'input' else 'param'}:{probe['key']}"
        base, u = arrays[where], arrays[f"probe{j}:u"]
        found = []
        for t in probe["steps"]:
            moved = dataclasses.replace(request, arrays={**arrays, where: base + t * u}, dtype="float64")
            result = adapter.run(moved)
            native = result.native_params
            found.append(sum(float(np.sum(np.asarray(result.arrays[output_key(spec, k)], np.float64)
                                          * arrays[f"cotangent:{k}"])) for k in spec.outputs))
        out[f"probe{j}:loss"] = np.asarray(found, dtype=np.float64)
    return Result(out, native)
