"""One comparison run: generate each spec's case, ask every backend, check what comes back.

Per spec, mode and backend the checks are, in this order: every output against the float64 reference,
then every gradient (input first, then parameters in spec order) against the median of all backends and
along random directions against the reference's own central differences (see ``harness.checks``), then
every state buffer after the forward and backward pass against the reference's canonical update. A block
with several modes gets one request per mode; its checks carry their mode. A training mode whose output
is random (dropout) is checked by properties of each framework's own mask instead. A max-pool tie in the
reference (``specs._ops.MaxPoolTie``) fails every gradient check of that spec with a note: where the
gradient of a tie goes is a convention, and the reference cannot check it.

A check that a backend declares divergent (``DIVERGENCES`` in ``backends/<fw>/__init__.py``) and that
disagrees makes the result ``divergent``: shown with its size, never a pass, exit status 0. If it ever
agrees, it fails, so that an upstream change is noticed and the declaration removed.
"""

from __future__ import annotations

import contextlib
import dataclasses
import fnmatch
import math
import threading
import time

import numpy as np

import backends
import specs
from harness import checks, dump, localise, realised, userblocks
from harness.data import make_case
from harness.dump import write_dump
from harness.protocol import load_arrays, output_key, save_arrays, work_folder


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
    reference: str = ""  # what the checks compared with (``Spec.reference_label``)

    @property
    def worst_rel_err(self) -> float | None:
        """The largest relative error of any check; inf if one could not be measured.

        A directional (framework-free) error counts where it is what failed the check: otherwise it
        measures the central difference's own accuracy (~1e-10), not the backend's. A statistic
        (dropout's dropped fraction) is not an error and counts only when it fails.
        """
        counted = [c for c in self.checks if not c.statistic or not c.passed]
        if any(c.max_rel_err is None for c in counted):
            return float("inf")
        errs = [c.max_rel_err for c in counted]
        errs += [c.fd_rel_err for c in counted if c.fd_rel_err is not None and not c.passed]
        return max(errs) if errs else None

    def failing(self) -> list:
        return [c for c in self.checks if not c.passed and not c.divergent]

    def divergent(self) -> list:
        return [c for c in self.checks if c.divergent]

    def as_json(self) -> dict:
        d = {"spec": self.spec, "backend": self.backend, "status": self.status, "reason": self.reason,
             "checks": [c.as_json() for c in self.checks], "native_params": self.native_params,
             "seconds": round(self.seconds, 4), "first_divergence": self.first_divergence,
             "reference": self.reference}
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
        return all(r.status in ("pass", "skipped", "divergent") for r in self.results)

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


def declared_divergence(backend: str, spec_name: str, mode, quantity: str, dtype: str, table="DIVERGENCES"):
    """The (key, (reason, up to)) that ``backend`` declares for this check, or None. A key's quantity
    may be a pattern (``grad:*``, ``state:*running_var``) for a divergence every such check shares; a
    fourth element limits it to a dtype (one whose tolerance is fine enough to see it). ``table``:
    ``DIVERGENCES`` (keys (spec, mode, quantity[, dtype])) or, for the training step,
    ``TRAIN_DIVERGENCES`` (keys (spec, optimizer, quantity[, dtype]); ``mode`` is then the optimizer)."""
    base = checks.base_quantity(quantity)
    for key, value in getattr(backends.info(backend), table, {}).items():
        if (key[0] == spec_name and key[1] == mode and fnmatch.fnmatchcase(base, key[2])
                and key[3:] in ((), (dtype,))):
            return key, value
    return None


def apply_divergences(result, spec, backend: str, dtype: str, optimizer=None) -> None:
    """Mark the checks ``backend`` declares divergent, and set the result's status from its checks.

    A key is (spec, mode, quantity[, dtype]) (``declared_divergence``); a value is (reason, the largest
    relative error the reason explains). A declared check that agrees in float64, or that is off by more
    than its reason explains, fails: an upstream fix, or a second mistake hiding behind the first, is
    noticed. In float32 a declared check may agree: the difference can be below what float32 resolves
    (torch's unbiased running variance over a large batch); it is still reported divergent, so that the
    verdict does not hang on whether this CPU's rounding puts it just above or just below the tolerance.
    (A precision limit of the framework is a ``TOLERANCES`` entry, not a divergence.) With ``optimizer``,
    the result is a training run and the backend's ``TRAIN_DIVERGENCES`` for that optimizer apply too.
    """
    for c in result.checks:
        found = declared_divergence(backend, spec.name, c.mode, c.quantity, dtype)
        if found is None and optimizer:
            found = declared_divergence(backend, spec.name, optimizer, c.quantity, dtype, "TRAIN_DIVERGENCES")
        if found is None:
            continue
        key, (reason, up_to) = found
        where = f"{'TRAIN_' if len(key) and key[1] == optimizer else ''}DIVERGENCES in backends/{backend}/__init__.py"
        if c.passed and dtype == "float32":  # below what float32 resolves here (a BatchNorm over many values):
            c.divergent = True  # float64 must see it; reported as declared either way, whatever the CPU rounds
            c.note = f"declared divergence (within float32's tolerance here; float64 shows it): {reason}"
        elif c.passed:
            c.passed = False
            c.note = f"declared divergent, but it agrees now: has {backend} changed? Remove {key} from {where}"
        elif c.max_rel_err is not None and c.max_rel_err <= up_to:
            c.divergent = True
            c.note = f"declared divergence: {reason}"
        else:
            c.note = (f"declared divergent up to {up_to:.0e} ({reason.split(':')[0]}), but off by more: "
                      f"something else is wrong. {c.note}").strip()
    failed = any(not c.passed and not c.divergent for c in result.checks)
    result.status = "fail" if failed else "divergent" if any(c.divergent for c in result.checks) else "pass"


# How far from its threshold a verdict must be for no CPU's rounding to reach it (``fragile``).
VERDICT_MARGIN = 3


def fragile(result, spec, dtype: str, optimizer=None) -> list[str]:
    """The checks of ``result`` whose verdict is within VERDICT_MARGIN of its threshold: a pass whose error
    (or directional error) is near its limit, a declared divergence near the tolerance it must exceed in
    float64 or within 10% of the size its reason explains. A catalogue with none of these gives the same verdicts
    on any CPU; the tests hold every run of the suite to that."""
    out = []
    tol = result.tolerance or spec.tolerance[dtype]
    for c in result.checks:
        if c.statistic or c.max_rel_err is None:
            continue
        what = f"{c.quantity}{f' ({c.mode})' if c.mode else ''}"
        if c.passed and not c.divergent:
            if c.max_rel_err > (c.tolerance or tol) / VERDICT_MARGIN:
                out.append(f"{what}: error {c.max_rel_err:.1e} within {VERDICT_MARGIN}x of {c.tolerance or tol:.0e}")
            limit = checks.fd_limit(tol, dtype)
            if c.fd_rel_err is not None and c.fd_rel_err > limit / VERDICT_MARGIN:
                out.append(f"{what}: directional error {c.fd_rel_err:.1e} within {VERDICT_MARGIN}x of {limit:.0e}")
        elif c.divergent:  # its size is a property of the data (not rounding) once it is far above rounding
            found = declared_divergence(result.backend, spec.name, c.mode, c.quantity, dtype) or (
                optimizer and declared_divergence(result.backend, spec.name, optimizer, c.quantity, dtype,
                                                  "TRAIN_DIVERGENCES"))
            up_to = found[1][1] if found else math.inf
            if dtype == "float64" and c.max_rel_err < tol * VERDICT_MARGIN or c.max_rel_err > up_to / 1.1:
                out.append(f"{what}: declared divergence {c.max_rel_err:.1e} near the tolerance {tol:.0e} "
                           f"or its declared size {up_to:.0e}")
    return out


# A declared precision limit is reported unneeded only when the worst error is this far below the spec's
# tolerance: nearer, another CPU's rounding may still need it, and the verdict would depend on the machine.
LIMIT_MARGIN = 10


def check_limit_still_needed(result, spec, backend: str, dtype: str, limit) -> None:
    """A declared precision limit (``TOLERANCES``) that a passing result no longer needs is an error."""
    if limit and result.status == "pass" and (result.worst_rel_err or 0) <= spec.tolerance[dtype] / LIMIT_MARGIN:
        result.status = "error"  # a declared limit that no longer applies must be noticed
        result.reason = (f"declared precision limit for {spec.name} in {dtype} is no longer needed "
                         f"(worst error {result.worst_rel_err:.1e}, 1/{LIMIT_MARGIN} of {spec.tolerance[dtype]:.0e}): "
                         f"remove it from backends/{backend}/__init__.py TOLERANCES")


def vote(values: dict, shape) -> tuple:
    """(the element-wise median of the backends' gradients that are present, of ``shape`` and finite, the
    backend it comes from when only one voted, else None). With no vote: zeros, against which the check
    says why (absent, shape, NaN)."""
    usable = {b: v for b, v in values.items() if v is not None and v.shape == shape and np.all(np.isfinite(v))}
    if not usable:
        return np.zeros(shape), None
    return checks.consensus(list(usable.values())), next(iter(usable)) if len(usable) == 1 else None


def check_mode(spec, case, mode, tols: dict, voters: list, arrays_of: dict, directions, dtype, taps=False) -> dict:
    """{backend: [Check]} for one mode of one spec; ``arrays_of``: backend -> reply arrays; ``tols``:
    backend -> the tolerance it is held to; ``voters``: the backends whose gradients make the consensus;
    ``taps``: also check every tap the replies hold (``localise.tap_checks``)."""
    here = list(arrays_of)
    out = {b: [] for b in here}
    if case.outputs is None:  # random in this mode: each framework's own mask
        for b in here:
            out[b] = checks.dropout_checks(spec, case, arrays_of[b], tols[b])
    else:
        grads, alone = {}, {}
        for q, (kind, key) in checks.gradient_quantities(spec).items():
            shape = tuple((spec.inputs if kind == "input" else spec.params)[key].shape)
            # a backend declared divergent on this quantity does not vote either (unless none is left)
            sound = [b for b in voters if declared_divergence(b, spec.name, mode, q, dtype) is None]
            grads[q], alone[q] = vote({b: arrays_of[b].get(q) for b in sound or voters}, shape)
        scales = checks.gradient_scales(spec, mode, grads)  # zero by construction (ZeroGrad)
        for b in here:
            arrays, found, tol = arrays_of[b], out[b], tols[b]
            for k in spec.outputs:
                key = output_key(spec, k)
                found.append(checks.compare(key, arrays.get(key), case.outputs[k], tol))
            for q, want in grads.items():
                kind, key = checks.gradient_quantities(spec)[q]
                scale, scale_of = scales.get(q, (0.0, ""))
                found.append(checks.judge_gradient(
                    q, arrays.get(q), want, tol, dtype, zero=spec.zero_grad(key, mode) if kind == "param" else None,
                    scale=scale, scale_of=scale_of, directions=[d for d in directions if d.quantity == q],
                    alone=alone[q] == b, ties=case.ties))
            if taps:
                found += localise.tap_checks(spec, case, arrays, tol)
    for b in here:
        for k, want in case.new_state.items():
            out[b].append(checks.compare(f"state:{k}", arrays_of[b].get(f"state:{k}"), want, tols[b]))
        for c in out[b]:
            c.mode = mode
    return out


def record_lost(results: dict, name: str, backend: str, spec, variant, lost: list) -> None:
    """The modes of one block that a backend did not answer (an error, an interruption): the result takes
    their status and reasons, and keeps the checks of the modes that did answer, pass or fail."""
    several = len(spec.modes) > 1
    result = results.setdefault((name, backend), Result(name, backend, "pass",
                                                        variant_of=spec.name if variant else None))
    result.status = lost[0][1].status
    result.reason = "; ".join(f"{mode} mode: {r.reason}" if several else r.reason for mode, r in lost)
    result.detail = "\n".join(r.detail for _, r in lost if r.detail)
    result.seconds += sum(r.seconds for _, r in lost)


@contextlib.contextmanager
def beside(work):
    """Run ``work()`` in a thread while the body runs (the workers compute): the float64 reference's share of
    a run, on a 2-core machine the core the workers' imports and tails leave free. Its error (a broken
    reference is the spec's bug) is raised when the body ends, not lost; a body that raises does not wait."""
    failed = []

    def run():
        try:
            work()
        except BaseException as e:  # handed to the caller when the body ends
            failed.append(e)

    thread = threading.Thread(target=run, name="reference", daemon=True)
    thread.start()
    yield
    thread.join()
    if failed:
        raise failed[0]


def compare_backends(pool, names, backend_names, dtype="float32", seed=0, dump=None, overrides=None,
                     on_event=None, work_dir=None, taps=False, given=None, meta=None, expect_failures=False) -> Run:
    """Run ``names`` on ``backend_names`` through ``pool``.

    ``taps``: also check every tap a realisation exposes against the reference (quantities ``tap:<name>``),
    in the same request; without it taps are read only to localise a failing output.

    ``overrides``: {(run name, backend): {array key: value}} replaces arrays sent to one backend only
    (the tests use it to hand one framework a perturbed weight; ``--native`` the weights read from a
    framework's own file). ``given``: {run name: {array key: value}}, the user's weights and inputs
    (``--params``, ``--inputs``) in place of the drawn ones, for the reference and every backend.

    ``dump``: write the arrays and the manifest there (``harness.dump``; ``meta``: more for the manifest).
    A dumped run asks for every tap in its one request, so that the dump alone can localise a failure, and
    so does a run whose blocks are expected to fail (``expect_failures``: the trap catalogue), which saves
    each failing block the second request that would fetch its taps.
    """
    started = time.perf_counter()
    overrides = overrides or {}
    record = taps or dump is not None or expect_failures  # the workers return their taps with every reply
    with work_folder(work_dir, "blockparity-") as work:
        todo = resolve_names(names)
        # a reference that is a realisation (reference="torch") runs first, in its worker
        cases, directions, unreferenced = realised.references(pool, todo, seed, dtype, work, on_event, given)
        jobs, results = {b: [] for b in backend_names}, {}
        slot_of, answers = {}, []
        for name, spec, variant in todo:
            if name in unreferenced:
                status, why = unreferenced[name]
                status = "skipped" if status == "skipped" else "error"
                for b in backend_names:
                    answers.append({"spec": name, "backend": b, "mode": None, "status": status, "reason": why})
                    results[(name, b)] = Result(name, b, status, why, variant_of=spec.name if variant else None)
                continue
            for mode in spec.modes:
                case = cases.get((name, mode)) or make_case(spec, seed, dtype, mode, (given or {}).get(name))
                cases[(name, mode)] = case
                arrays_path = work / f"{name}.{mode}.{dtype}.npz"
                save_arrays(arrays_path, case.arrays())
                for b in backend_names:
                    gap = userblocks.gap(spec, b) if spec.origin else backends.gap(b, spec.module, dtype)
                    if variant and variant.backends and b not in variant.backends:
                        gap = f"the mistake {name} is about {', '.join(variant.backends)}, not {b}"
                    if gap:
                        if (name, b) not in results:
                            answers.append({"spec": name, "backend": b, "mode": None, "status": "skipped",
                                            "reason": gap})
                        results[(name, b)] = Result(name, b, "skipped", gap,
                                                    variant_of=spec.name if variant else None)
                        continue
                    path = arrays_path
                    if (name, b) in overrides:
                        path = work / f"{name}.{mode}.{dtype}.{b}.in.npz"
                        save_arrays(path, {**case.arrays(), **overrides[(name, b)]})
                    slot_of[(b, len(jobs[b]))] = (name, mode)
                    jobs[b].append({"spec": name, "dtype": dtype, "mode": mode, "seed": seed, "arrays": str(path),
                                    "taps": record, "out": str(work / f"{name}.{mode}.{dtype}.{b}.npz")})
        # The reference's directional derivatives are needed only once the replies are in: compute them
        # while the workers import and run (on a 2-core machine that is the core they leave free).
        def reference_work():
            for (name, mode), case in cases.items():
                spec = specs.resolve(name)[0]
                if not spec.reference_backend:
                    directions[(name, mode)] = checks.reference_directions(spec, case, seed, dtype)

        with beside(reference_work):
            replies = pool.run({b: j for b, j in jobs.items() if j}, on_event)

        got, lost = {}, {}  # lost: (name, backend) -> [(mode, reply)] of the modes that did not answer
        for (b, i), reply in sorted(replies.items(), key=lambda kv: (kv[0][0], kv[0][1])):
            name, mode = slot_of[(b, i)]
            answers.append({"spec": name, "backend": b, "mode": mode, "status": reply.status, "reason": reply.reason,
                            "detail": reply.detail, "seconds": reply.seconds, "native_params": reply.native_params})
            answer(results, got, lost, name, b, mode, reply, jobs[b][i]["out"])

        pending = judge_arrays(todo, backend_names, cases, directions, results, got, lost, dtype,
                               overridden=set(overrides), taps=taps, tapped=got if record else {})
        request_taps(pool, pending, cases, results, jobs, slot_of, on_event, dtype, work)
        ordered = [results[(name, b)] for name, _, _ in todo for b in backend_names if (name, b) in results]
        cpu = getattr(pool, "cpu_seconds", dict)()
        workers = {b: {"start_s": round(w.start_s, 3), "import_s": w.import_s,
                       "work_s": round(sum(r.seconds for r in ordered if r.backend == b), 3),
                       "cpu_s": cpu.get(b, [])}
                   for b, w in pool.workers.items() if w.start_s is not None and b in backend_names}
        run = Run(dtype, seed, list(backend_names), pool.versions(), ordered, time.perf_counter() - started,
                  workers)
        if dump:
            environment = getattr(pool, "environment", dict)()
            write_dump(dump, todo, cases, got, manifest(run, todo, answers, taps, overrides, environment, meta))
        return run


def answer(results, got, lost, name, b, mode, reply, path) -> None:
    """Take in one worker's reply for one mode: its arrays (the ``.npz`` at ``path``) or what went wrong."""
    spec, variant = specs.resolve(name)
    if reply.status != "ok":
        lost.setdefault((name, b), []).append((mode, reply))
        return
    got[(name, mode, b)] = load_arrays(path)
    result = results.setdefault((name, b), Result(name, b, "pass", native_params=reply.native_params,
                                                  variant_of=spec.name if variant else None))
    result.seconds += reply.seconds


def judge_arrays(todo, backend_names, cases, directions, results, got, lost, dtype, overridden=(), taps=False,
                 tapped=None) -> list:
    """Turn what the backends answered into verdicts: the one path from arrays to results, for a run and for
    ``compare.py merge`` alike (which reads the same arrays back from dumps).

    ``got``: (name, mode, backend) -> reply arrays; ``results``: (name, backend) -> the Result of each block
    and backend that answered (status ``pass`` so far) or was skipped; ``lost``: (name, backend) -> [(mode,
    Reply)] of the modes that did not answer; ``directions``: (name, mode) -> the reference's directional
    derivatives; ``overridden``: the (name, backend) handed other arrays (they do not vote); ``tapped``:
    (name, mode, backend) -> arrays holding taps, to localise a failing output. Returns the (name, mode,
    backend) whose failing output still needs taps to be localised (``request_taps``).
    """
    for name, spec, variant in todo:
        ok = [b for b in backend_names if results.get((name, b)) and results[(name, b)].status == "pass"]
        limits = {b: backends.info(b).TOLERANCES.get((spec.name, dtype)) for b in ok}
        # a backend with a declared precision limit for this block does not vote, unless all have one
        voters = [b for b in ok if not limits[b]] or ok
        # nor does one handed other arrays (an override: a perturbed weight, a user's --native file)
        voters = [b for b in voters if (name, b) not in overridden] or voters
        tols = {b: max(spec.tolerance[dtype], limits[b][0]) if limits[b] else spec.tolerance[dtype] for b in ok}
        for mode in spec.modes:  # each mode on its own: one that errored does not hide the other's checks
            arrays_of = {b: got[(name, mode, b)] for b in ok if (name, mode, b) in got}
            found = check_mode(spec, cases[(name, mode)], mode, tols, [b for b in voters if b in arrays_of],
                               arrays_of, directions[(name, mode)], dtype, taps) if arrays_of else {}
            for b, cs in found.items():
                results[(name, b)].checks.extend(cs)
        for b in ok:
            result = results[(name, b)]
            result.tolerance = tols[b]
            if limits[b]:
                result.reason = f"precision limit {tols[b]:.0e} declared for {spec.name} in {dtype}: {limits[b][1]}"
            apply_divergences(result, spec, b, dtype)
            check_limit_still_needed(result, spec, b, dtype, limits[b])
        for b in backend_names:
            if (name, b) in lost:
                record_lost(results, name, b, spec, variant, lost[(name, b)])
            if (name, b) in results:
                results[(name, b)].reference = spec.reference_label
    return localise_failures(todo, backend_names, cases, results, got, tapped or {})


def localise_failures(todo, backend_names, cases, results, got, tapped) -> list:
    """Name where each failing result starts to diverge (``harness.localise``), in its first failing mode.

    A gradient-only failure is localised from the checks already made, one that only state shows (a
    running statistic) at the first failing buffer, a failing output from the taps in ``tapped``. Returns
    the (name, mode, backend) of failing outputs that ``tapped`` has no taps for.
    """
    pending, done = [], set()
    for name, spec, _ in todo:
        for mode in spec.modes:
            for b in backend_names:
                result = results.get((name, b))
                if (name, mode, b) not in got or result.status != "fail" or (name, b) in done:
                    continue
                mine = [c for c in result.checks if c.mode == mode]
                if all(c.passed or c.divergent for c in mine):
                    continue
                done.add((name, b))
                n_out = len(spec.outputs)
                if all(c.passed for c in mine[:n_out]):
                    result.first_divergence = localise.backward(spec, mine[n_out:]) or localise.state(mine)
                elif (name, mode, b) in tapped:
                    result.first_divergence = localise.forward(spec, cases[(name, mode)], tapped[(name, mode, b)],
                                                               result.tolerance, mine[:n_out])
                else:
                    pending.append((name, mode, b))
    return pending


def request_taps(pool, pending, cases, results, jobs, slot_of, on_event, dtype, work) -> None:
    """Taps cost a second request: asked for only where an output failed and the run did not record them."""
    index = {(name, mode, b): i for (b, i), (name, mode) in slot_of.items()}
    again = {}
    for name, mode, b in pending:
        out = str(work / f"{name}.{mode}.{dtype}.{b}.taps.npz")
        again.setdefault(b, []).append({**jobs[b][index[(name, mode, b)]], "out": out, "taps": True})
    if not again:
        return
    replies = pool.run(again, on_event)
    for (b, i), reply in replies.items():
        req = again[b][i]
        spec = specs.resolve(req["spec"])[0]
        result = results[(req["spec"], b)]
        mine = [c for c in result.checks if c.mode == req["mode"]]
        if reply.status == "ok":
            tapped = load_arrays(req["out"])
            result.first_divergence = localise.forward(spec, cases[(req["spec"], req["mode"])], tapped,
                                                       result.tolerance, mine[:len(spec.outputs)])
        else:  # the failure itself stays reported; only its location is unknown
            result.first_divergence = {"tap": None, "max_abs_err": None, "max_rel_err": None,
                                       "note": f"taps unavailable: {reply.reason}"}


def manifest(run, todo, answers, taps, overrides, environment, meta=None) -> dict:
    """What ``compare.py merge`` needs beside the arrays, and what it checks before it merges (harness.dump)."""
    return {"format": dump.FORMAT, "blockparity": dump.blockparity_version(), "seed": run.seed, "dtype": run.dtype,
            "taps": bool(taps), "backends": run.backends, "versions": run.versions, "environment": environment,
            "blocks": {name: {"spec": spec.name, "digest": dump.spec_digest(spec)} for name, spec, _ in todo},
            "files": {"params": None, "inputs": None, "native": {}}, "selection": [n for n, _, _ in todo],
            "shard": None, "require": [], **(meta or {}),
            "overridden": sorted([n, b] for n, b in overrides), "answers": answers,
            "timing": {"wall_s": round(run.wall_s, 3), "workers": run.workers}}
