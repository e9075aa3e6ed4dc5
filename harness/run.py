"""One comparison run: generate each spec's case, ask every backend, check what comes back.

Per spec and backend the checks are, in this order: every output against the float64 reference, then
every gradient (input first, then parameters in spec order) against the median of all backends and along
random directions against the reference's own central differences (see ``harness.checks``). A max-pool
tie in the reference (``specs._ops.MaxPoolTie``) fails every gradient check of that spec with a note:
where the gradient of a tie goes is a convention, and the reference cannot check it.
"""

from __future__ import annotations

import dataclasses
import pathlib
import shutil
import tempfile
import time

import numpy as np

import backends
import specs
from harness import checks, localise
from harness.data import make_case
from harness.protocol import load_arrays, output_key, save_arrays


@dataclasses.dataclass
class Result:
    spec: str  # the name that was run: a spec or one of its variants
    backend: str
    status: str  # pass | fail | error | skipped
    reason: str = ""
    checks: list = dataclasses.field(default_factory=list)
    native_params: list = dataclasses.field(default_factory=list)
    seconds: float = 0.0
    variant_of: str | None = None
    detail: str = ""  # traceback of an error, for --verbose and logs
    first_divergence: dict | None = None  # see harness.localise
    tolerance: float | None = None  # the max relative error its checks were held to

    @property
    def worst_rel_err(self) -> float | None:
        """The largest relative error of any check; inf if one could not be measured.

        A directional (framework-free) error counts where it is what failed the check: otherwise it
        measures the central difference's own accuracy (~1e-10), not the backend's.
        """
        if any(c.max_rel_err is None for c in self.checks):
            return float("inf")
        errs = [c.max_rel_err for c in self.checks]
        errs += [c.fd_rel_err for c in self.checks if c.fd_rel_err is not None and not c.passed]
        return max(errs) if errs else None

    def failing(self) -> list:
        return [c for c in self.checks if not c.passed]

    def as_json(self) -> dict:
        d = {"spec": self.spec, "backend": self.backend, "status": self.status, "reason": self.reason,
             "checks": [c.as_json() for c in self.checks], "native_params": self.native_params,
             "seconds": round(self.seconds, 4), "first_divergence": self.first_divergence}
        if self.variant_of:
            d["variant_of"] = self.variant_of
        return d


@dataclasses.dataclass
class Run:
    dtype: str
    seed: int
    backends: list
    versions: dict
    results: list
    wall_s: float = 0.0
    workers: dict = dataclasses.field(default_factory=dict)  # backend -> {"start_s", "import_s", "work_s"}

    def ok(self) -> bool:
        return all(r.status in ("pass", "skipped") for r in self.results)

    def as_json(self) -> dict:
        return {"dtype": self.dtype, "seed": self.seed, "versions": self.versions,
                "results": [r.as_json() for r in self.results],
                "timing": {"wall_s": round(self.wall_s, 3), "workers": self.workers}}


def resolve_names(names) -> list:
    """[(run name, spec, variant)] for the given names (all specs, no variants, when empty)."""
    out = []
    for n in names or specs.names():
        spec, variant = specs.resolve(n)
        out.append((n, spec, variant))
    return out


def compare_backends(pool, names, backend_names, dtype="float32", seed=0, dump=None, overrides=None,
                     on_event=None, work_dir=None, taps=False) -> Run:
    """Run ``names`` on ``backend_names`` through ``pool``.

    ``taps``: also check every tap a realisation exposes against the reference (quantities ``tap:<name>``),
    in the same request; without it taps are read only to localise a failing output.

    ``overrides``: {(run name, backend): {array key: value}} replaces arrays sent to one backend only
    (the tests use it to hand one framework a perturbed weight).
    """
    started = time.perf_counter()
    overrides = overrides or {}
    own_dir = work_dir is None
    work = pathlib.Path(work_dir or tempfile.mkdtemp(prefix="blockparity-"))
    try:
        todo = resolve_names(names)
        cases, directions, jobs, results = {}, {}, {b: [] for b in backend_names}, {}
        slot_of = {}
        for name, spec, variant in todo:
            case = make_case(spec, seed, dtype)
            cases[name] = case
            arrays_path = work / f"{name}.{dtype}.npz"
            save_arrays(arrays_path, case.arrays())
            for b in backend_names:
                gap = backends.info(b).GAPS.get(spec.module)
                if variant and variant.backends and b not in variant.backends:
                    gap = f"the mistake {name} is about {', '.join(variant.backends)}, not {b}"
                if gap:
                    results[(name, b)] = Result(name, b, "skipped", gap, variant_of=spec.name if variant else None)
                    continue
                path = arrays_path
                if (name, b) in overrides:
                    path = work / f"{name}.{dtype}.{b}.in.npz"
                    save_arrays(path, {**case.arrays(), **overrides[(name, b)]})
                slot_of[(b, len(jobs[b]))] = name
                jobs[b].append({"spec": name, "dtype": dtype, "arrays": str(path), "taps": taps,
                                "out": str(work / f"{name}.{dtype}.{b}.npz")})
        # The workers are importing their frameworks meanwhile: spend that time on the reference.
        for name, spec, _ in todo:
            directions[name] = checks.reference_directions(spec, cases[name], seed, dtype)
        replies = pool.run({b: j for b, j in jobs.items() if j}, on_event)

        got = {}
        for (b, i), reply in replies.items():
            name = slot_of[(b, i)]
            spec, variant = specs.resolve(name)
            of = spec.name if variant else None
            if reply.status != "ok":
                results[(name, b)] = Result(name, b, reply.status, reply.reason, variant_of=of, detail=reply.detail,
                                            seconds=reply.seconds)
                continue
            got[(name, b)] = load_arrays(jobs[b][i]["out"])
            results[(name, b)] = Result(name, b, "pass", native_params=reply.native_params,
                                        seconds=reply.seconds, variant_of=of)

        for name, spec, _ in todo:
            here = [b for b in backend_names if (name, b) in got]
            limits = {b: backends.info(b).TOLERANCES.get((spec.name, dtype)) for b in here}
            # a backend with a declared precision limit for this block does not vote, unless all have one
            voters = [b for b in here if not limits[b]] or here
            grads = {}
            for q, (kind, key) in checks.gradient_quantities(spec).items():
                shape = tuple((spec.inputs if kind == "input" else spec.params)[key].shape)
                usable = [got[(name, b)][q] for b in voters if q in got[(name, b)]]
                usable = [v for v in usable if v.shape == shape and np.all(np.isfinite(v))]
                # with nothing usable the check below reports why (absent, shape, NaN) against zeros
                grads[q] = checks.consensus(usable) if usable else np.zeros(shape)
            # zero by construction (Param.inert): measured against the block's largest gradient
            inert = {f"grad:{k}": p.inert for k, p in spec.params.items() if p.inert}
            scale = max((float(np.abs(g).max()) for q, g in grads.items() if q not in inert and g.size), default=0.0)
            for b in here:
                arrays = got[(name, b)]
                result = results[(name, b)]
                tol = spec.tolerance[dtype]
                if limits[b]:
                    tol, why = max(tol, limits[b][0]), limits[b][1]
                    result.reason = f"precision limit {tol:.0e} declared for {spec.name} in {dtype}: {why}"
                result.tolerance = tol
                for k in spec.outputs:
                    key = output_key(spec, k)
                    result.checks.append(checks.compare(key, arrays.get(key), cases[name].outputs[k], tol))
                for q, want in grads.items():
                    value = arrays.get(q)
                    if q in inert:
                        result.checks.append(checks.compare_zero(q, value, want.shape, scale, tol, inert[q]))
                        continue
                    check = checks.compare(q, value, want, tol)
                    own = [d for d in directions[name] if d.quantity == q]
                    if not own and check.passed:
                        check.note = ("no framework-free check: the reference loss was not smooth along any of "
                                      f"{4 * checks.FD_DIRECTIONS} random directions")
                    if own and check.max_abs_err is not None:  # present, right shape, finite
                        check.fd_rel_err = checks.directional_error(value, own)
                        if check.fd_rel_err is None or not np.isfinite(check.fd_rel_err) \
                                or check.fd_rel_err > checks.FD_TOLERANCE[dtype]:
                            check.passed = False
                            check.note = check.note or (
                                f"directional derivative is off the float64 reference's central difference "
                                f"by {check.fd_rel_err:.1e} (limit {checks.FD_TOLERANCE[dtype]:.0e})")
                    if cases[name].ties:  # the spec assumes none; agreement there would prove nothing
                        check.passed = False
                        check.note = (f"{cases[name].ties[0]} in the reference: the gradient at a tie is a "
                                      "per-framework convention and cannot be checked (the spec assumes no ties)")
                    result.checks.append(check)
                if taps:
                    result.checks += localise.tap_checks(spec, cases[name], arrays, tol)
                result.status = "pass" if all(c.passed for c in result.checks) else "fail"
                if limits[b] and result.status == "pass" and (result.worst_rel_err or 0) <= spec.tolerance[dtype]:
                    result.status = "error"  # a declared limit that no longer applies must be noticed
                    result.reason = (f"declared precision limit for {spec.name} in {dtype} is no longer needed "
                                     f"(worst error {result.worst_rel_err:.1e} <= {spec.tolerance[dtype]:.0e}): "
                                     f"remove it from backends/{b}/__init__.py TOLERANCES")

        localise_failures(pool, cases, results, jobs, slot_of, on_event, backend_names, dtype, work,
                          got if taps else {})
        if dump:
            write_dump(dump, todo, cases, got)
        ordered = [results[(name, b)] for name, _, _ in todo for b in backend_names if (name, b) in results]
        workers = {b: {"start_s": round(w.start_s, 3), "import_s": w.import_s,
                       "work_s": round(sum(r.seconds for r in ordered if r.backend == b), 3)}
                   for b, w in pool.workers.items() if w.start_s is not None and b in backend_names}
        return Run(dtype, seed, list(backend_names), pool.versions(), ordered, time.perf_counter() - started,
                   workers)
    finally:
        if own_dir:
            shutil.rmtree(work, ignore_errors=True)


def localise_failures(pool, cases, results, jobs, slot_of, on_event, backend_names, dtype, work, tapped) -> None:
    """Name where each failing result starts to diverge (``harness.localise``).

    Taps cost a second request, so they are asked for only where an output failed (unless ``tapped``
    already holds them); a gradient-only failure is localised from the checks already made.
    """
    again = {b: [] for b in backend_names}
    for (b, i), name in slot_of.items():
        spec = specs.resolve(name)[0]
        result = results[(name, b)]
        if result.status != "fail":
            continue
        n_out = len(spec.outputs)
        if all(c.passed for c in result.checks[:n_out]):
            result.first_divergence = localise.backward(spec, result.checks[n_out:])
        elif (name, b) in tapped:
            result.first_divergence = localise.forward(spec, cases[name], tapped[(name, b)], result.tolerance,
                                                       result.checks[:n_out])
        else:
            out = str(work / f"{name}.{dtype}.{b}.taps.npz")
            again[b].append({**jobs[b][i], "out": out, "taps": True})
    if not any(again.values()):
        return
    replies = pool.run({b: j for b, j in again.items() if j}, on_event)
    for (b, i), reply in replies.items():
        req = again[b][i]
        spec = specs.resolve(req["spec"])[0]
        result = results[(req["spec"], b)]
        n_out = len(spec.outputs)
        if reply.status == "ok":
            tapped = load_arrays(req["out"])
            result.first_divergence = localise.forward(spec, cases[req["spec"]], tapped, result.tolerance,
                                                       result.checks[:n_out])
        else:  # the failure itself stays reported; only its location is unknown
            result.first_divergence = {"tap": None, "max_abs_err": None, "max_rel_err": None,
                                       "note": f"taps unavailable: {reply.reason}"}


def write_dump(root, todo, cases, got) -> None:
    """``--dump DIR``: DIR/<spec>/inputs.npz, params.npz and <backend>.npz, canonical layout."""
    for name, spec, _ in todo:
        d = pathlib.Path(root) / name
        d.mkdir(parents=True, exist_ok=True)
        case = cases[name]
        single = len(spec.inputs) == 1 and len(spec.outputs) == 1
        inputs = {("x" if single else k): v for k, v in case.inputs.items()}
        inputs.update({("cotangent" if len(spec.outputs) == 1 else f"cotangent:{k}"): v
                       for k, v in case.cotangents.items()})
        save_arrays(d / "inputs.npz", inputs)
        save_arrays(d / "params.npz", {**case.params, **case.constants})
        for (n, b), arrays in got.items():
            if n == name:
                save_arrays(d / f"{b}.npz", {k: v for k, v in arrays.items()})
