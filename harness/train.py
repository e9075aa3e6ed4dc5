"""``compare.py train``: N steps of each framework's own optimizer, every step checked against float64.

From the same canonical parameters (and state), one seeded batch and a seeded target of each output's
shape, each backend runs N steps of its own optimizer on ``sum over outputs of mean((out - target)²)``
(a block with a training mode trains in it, so BatchNorm uses and moves batch statistics; dropout trains
with dropout off, its training mode being random). Step k of every backend is then checked as a
transition from that backend's own parameters and state after step k - 1 (the canonical start for
k = 1), so each check sees one step's error and nothing accumulates; the optimizer state is the rule's
own, built from the backend's gradients, so a framework whose state goes wrong is seen in its
parameters at the next step too:

* ``step<k>:loss``: the float64 reference loss at those parameters and state, relative to the size of
  the terms it subtracts (``sum(mean((|output| + |target|)²))``);
* ``step<k>:grad:<param>``: the framework's own loss gradient; at step 1 along random directions against
  central differences of the reference loss (as ``harness.checks``; no framework is trusted), later
  present, of its shape and finite;
* ``step<k>:<param>``: the documented update rule of *that* framework (``harness.optim``) applied in
  float64 to its own gradients; the error is relative to the size of the update, up to the rounding of
  the parameter it is added to (2 ulp of its largest element);
* ``step<k>:<momentum_buffer|exp_avg|exp_avg_sq>:<param>``: the optimizer state, in PyTorch's names and
  sign, where the framework exposes it;
* ``step<k>:state:<buffer>``: running statistics, against the reference's canonical update.

Where documented rules differ (Adam's epsilon placement; MXNet's float32 hyper-parameters), the
difference between the rules on the same values is measured and reported with the run.
"""

from __future__ import annotations

import dataclasses
import pathlib
import shutil
import tempfile
import time
import warnings

import numpy as np

import backends
import specs
from harness import checks, optim
from harness.data import make_case, make_target, reference_step, rng
from harness.protocol import load_arrays, save_arrays
from harness.run import Result, apply_divergences
from harness.spec import MaxPoolTie


@dataclasses.dataclass
class TrainResult(Result):
    optimizer: str = ""

    def as_json(self) -> dict:
        return {**super().as_json(), "optimizer": self.optimizer}


@dataclasses.dataclass
class TrainRun:
    dtype: str
    seed: int
    steps: int
    optimizers: list
    backends: list
    versions: dict
    results: list
    conventions: list = dataclasses.field(default_factory=list)  # measured differences between rules
    wall_s: float = 0.0

    def ok(self) -> bool:
        return all(r.status in ("pass", "skipped", "divergent") for r in self.results)

    def as_json(self) -> dict:
        return {"command": "train", "dtype": self.dtype, "seed": self.seed, "steps": self.steps,
                "loss": "sum over outputs of mean((output - target) ** 2)",
                "optimizers": {o: dataclasses.asdict(optim.OPTIMIZERS[o]) for o in self.optimizers},
                "versions": self.versions, "results": [r.as_json() for r in self.results],
                "conventions": self.conventions, "timing": {"wall_s": round(self.wall_s, 3)}}


@dataclasses.dataclass
class Task:
    name: str  # as given: a spec, a variant or a training trap
    spec: object
    optimizer: str
    trap: optim.TrainTrap | None = None
    variant: object = None

    @property
    def mode(self) -> str:  # random training (dropout) trains with it off
        return "train" if self.spec.has_training_mode and self.spec.dropout is None else "eval"


def tasks(names, optimizers) -> list[Task]:
    out = []
    for n in names or specs.names():
        trap = optim.trap(n)
        if trap:
            out.append(Task(n, specs.resolve(trap.spec)[0], trap.optimizer, trap))
            continue
        spec, variant = specs.resolve(n)
        out += [Task(n, spec, o, variant=variant) for o in optimizers]
    return out


def reference_loss(spec, case, mode, params, state, targets, scale=False):
    """(loss, new state); with ``scale``, also sum(mean((|output| + |target|)²)), the size of the terms
    the loss subtracts: an output close to its target leaves a loss far smaller than its own rounding."""
    with warnings.catch_warnings():  # a max-pool tie is the forward/backward comparison's to report
        warnings.simplefilter("ignore", MaxPoolTie)
        outs, new_state = reference_step(spec, case.inputs, params, case.constants, mode, state)
    ts = {k: targets[k].astype(np.float64) for k in outs}
    loss = float(sum(np.mean((outs[k] - ts[k]) ** 2) for k in outs))
    if not scale:
        return loss, new_state
    return loss, new_state, float(sum(np.mean((np.abs(outs[k]) + np.abs(ts[k])) ** 2) for k in outs))


def update_check(quantity, got, want, before, tolerance, dtype) -> checks.Check:
    """A parameter after a step, relative to the size of the update: ``max|got - want|`` over
    ``max|want - before|`` plus what rounding the parameter itself costs (2 ulp of its largest element,
    over the tolerance), so that a float32 update far smaller than its parameter is not held to more
    digits than the parameter has."""
    check = checks.compare(quantity, got, want, tolerance)
    if check.max_abs_err is None:
        return check
    scale = float(np.abs(want - before).max())
    rounding = 2 * float(np.finfo(dtype).eps) * float(np.abs(before).max()) / tolerance
    denominator = scale + rounding
    check.max_rel_err = check.max_abs_err / denominator if denominator > 0 else check.max_abs_err
    check.passed = check.max_rel_err <= tolerance
    if rounding > scale:
        check.note = f"an update ({scale:.1e}) smaller than the parameter's rounding resolves ({rounding:.1e})"
    return check


def tolerance_of(spec, backend: str, dtype: str) -> tuple[float, str]:
    """The spec's tolerance, or the backend's declared precision limit for the block (``TOLERANCES``)."""
    limit = backends.info(backend).TOLERANCES.get((spec.name, dtype))
    if not limit:
        return spec.tolerance[dtype], ""
    tol = max(spec.tolerance[dtype], limit[0])
    return tol, f"precision limit {tol:.0e} declared for {spec.name} in {dtype}: {limit[1]}"


def check_training(task: Task, case, targets, arrays: dict, backend: str, steps: int, dtype: str, seed: int,
                   first_directions: dict | None = None):
    """The checks of one backend's training run, and how far its rule is from the other documented ones
    on its own values: {"adam_eps": (gap, quantity), "float32": (gap, quantity)}, as a fraction of the
    update.

    Gradients are checked along random directions at step 1, where every backend and optimizer starts
    from the same parameters, so the reference's directions are computed once (``first_directions``, a
    cache by quantity); after it each gradient must be present, of its shape and finite: it is the same
    code on parameters one update away, and each step's loss and update are checked against the
    reference."""
    first_directions = {} if first_directions is None else first_directions
    spec, opt, mode = task.spec, optim.OPTIMIZERS[task.optimizer], task.mode
    rule, tol = optim.rule_of(backend), tolerance_of(spec, backend, dtype)[0]
    others = {"float32": dataclasses.replace(rule, float32=frozenset())}
    if opt.name == "adam":
        others["adam_eps"] = dataclasses.replace(rule, adam_eps="before bias correction"
                                                 if rule.adam_eps.startswith("after") else "after bias correction")
    gaps = {k: (0.0, "") for k in others}
    params = {k: v.astype(np.float64) for k, v in case.params.items()}
    state = {k: v.astype(np.float64) for k, v in case.state.items()}
    opt_state = {k: {} for k in params}
    found = []
    for k in range(1, steps + 1):
        pre = f"step{k}:"
        current, current_state = params, state
        params, state = dict(params), dict(state)  # the next step's start, filled in below
        loss, new_state, size = reference_loss(spec, case, mode, current, current_state, targets, scale=True)
        check = checks.compare(f"{pre}loss", arrays.get(f"{pre}loss"), np.asarray(loss), tol)
        if check.max_abs_err is not None:  # relative to the size of the terms, not of their difference
            check.max_rel_err = check.max_abs_err / size if size > 0 else check.max_abs_err
            check.passed = check.max_rel_err <= tol
        found.append(check)
        for q, before in current.items():
            grad = arrays.get(f"{pre}grad:{q}")
            check = checks.compare(f"{pre}grad:{q}", grad, np.zeros_like(before), tol)  # absent, shape, NaN?
            if check.max_abs_err is not None:  # present, shaped, finite: what steps after the first check
                check = checks.Check(check.quantity, 0.0, 0.0, True, "present, shaped and finite (checked "
                                     "along random directions at step 1)", tolerance=tol)
            sibling = spec.vanishing.get(q) if mode == "train" else None
            if sibling:  # 0 analytically: rounding noise, at the scale of its layer's weight gradient
                scale = float(np.abs(arrays.get(f"{pre}grad:{sibling}", np.zeros(1))).max())
                check = checks.vanishing_check(f"{pre}grad:{q}", grad, before.shape, scale, tol,
                                               "a BatchNorm follows")
            elif check.max_abs_err is not None and k == 1:  # present, right shape, finite: against the reference
                along = lambda u, ts, q=q, p=current, s=current_state: [
                    reference_loss(spec, case, mode, {**p, q: p[q] + t * u}, s, targets)[0] for t in ts]
                if q not in first_directions:
                    g = rng(seed, spec.name, "train", q)
                    first_directions[q] = checks.smooth_directions(f"{pre}grad:{q}", before, along, g, size)
                directions = first_directions[q]
                err = checks.directional_error(grad, directions)
                misses = [abs(float(np.sum(grad * d.u)) - d.derivative) for d in directions]
                check = checks.Check(check.quantity, max(misses, default=None), err,
                                     bool(err is not None and err <= checks.FD_TOLERANCE[dtype]),
                                     "" if err is not None else "no direction along which the loss is smooth",
                                     fd_rel_err=err, tolerance=checks.FD_TOLERANCE[dtype])
                if not check.passed and err is not None:
                    check.note = (f"directional derivative is off the float64 reference's central difference "
                                  f"by {err:.1e} (limit {checks.FD_TOLERANCE[dtype]:.0e})")
            found.append(check)
            if grad is None:  # no gradient, no update: the gradient check above says so
                continue
            want, new_opt = optim.update(opt, rule, k, before, grad, opt_state[q])
            found.append(update_check(f"{pre}{q}", arrays.get(f"{pre}{q}"), want, before, tol, dtype))
            for name, value in new_opt.items():
                found.append(checks.compare(f"{pre}{name}:{q}", arrays.get(f"{pre}{name}:{q}"), value, tol))
            for kind, other in others.items():
                if sibling or spec.params[q].inert:  # an update of rounding noise says nothing about the rules
                    continue
                alt = optim.update(opt, other, k, before, grad, opt_state[q])[0]
                gap = float(np.abs(alt - want).max() / max(np.abs(want - before).max(), 1e-300))
                gaps[kind] = max(gaps[kind], (gap, f"{pre}{q}"))
            # the next step starts from this backend's own parameters (the reference's where it gave none);
            # the optimizer state stays the rule's own, so a wrong state shows in the parameters too
            params[q] = np.asarray(arrays.get(f"{pre}{q}", want), np.float64)
            opt_state[q] = new_opt
        for b, want in new_state.items():
            found.append(checks.compare(f"{pre}state:{b}", arrays.get(f"{pre}state:{b}"), want, tol))
            state[b] = np.asarray(arrays.get(f"{pre}state:{b}", want), np.float64)
    for c in found:
        c.mode = mode
    return found, gaps


def train_backends(pool, names, backend_names, optimizers=tuple(optim.OPTIMIZERS), dtype="float32", seed=0,
                   steps=optim.STEPS, on_event=None, work_dir=None) -> TrainRun:
    started = time.perf_counter()
    own_dir = work_dir is None
    work = pathlib.Path(work_dir or tempfile.mkdtemp(prefix="blockparity-train-"))
    try:
        todo = tasks(names, optimizers)
        jobs, slot_of, results, cases = {b: [] for b in backend_names}, {}, {}, {}
        for task in todo:
            spec, key = task.spec, (task.name, task.optimizer)
            if (task.name, task.spec.name) not in cases:
                case = make_case(spec, seed, dtype, task.mode)
                targets = make_target(spec, case, seed, dtype)
                path = work / f"{task.name}.{dtype}.npz"
                save_arrays(path, {**case.arrays(), **{f"target:{k}": t for k, t in targets.items()}})
                cases[(task.name, spec.name)] = (case, targets, path)
            case, targets, path = cases[(task.name, spec.name)]
            for b in backend_names:
                info = backends.info(b)
                gap = info.GAPS.get(spec.module)
                restricted = (task.trap.backend,) if task.trap else task.variant.backends if task.variant else None
                if restricted and b not in restricted:
                    gap = f"the mistake {task.name} is about {', '.join(restricted)}, not {b}"
                if gap:
                    results[(key, b)] = TrainResult(task.name, b, "skipped", gap, optimizer=task.optimizer)
                    continue
                slot_of[(b, len(jobs[b]))] = task
                jobs[b].append({"op": "train", "spec": task.variant.name if task.variant else spec.name,
                                "trap": task.trap.name if task.trap else None, "dtype": dtype,
                                "mode": task.mode, "seed": seed, "optimizer": task.optimizer, "steps": steps,
                                "arrays": str(path), "out": str(work / f"{task.name}.{task.optimizer}.{b}.npz")})
        replies = pool.run({b: j for b, j in jobs.items() if j}, on_event)

        measured = {}  # (kind, backend) -> (gap, quantity, block)
        first = {}  # (block, mode) -> the reference's directions at step 1, shared by backends and optimizers
        for (b, i), reply in replies.items():
            task = slot_of[(b, i)]
            key = (task.name, task.optimizer)
            of = task.spec.name if task.name != task.spec.name else None
            if reply.status != "ok":
                results[(key, b)] = TrainResult(task.name, b, reply.status, reply.reason, detail=reply.detail,
                                                seconds=reply.seconds, variant_of=of, optimizer=task.optimizer)
                continue
            case, targets, _ = cases[(task.name, task.spec.name)]
            found, gaps = check_training(task, case, targets, load_arrays(jobs[b][i]["out"]), b, steps, dtype, seed,
                                         first.setdefault((task.name, task.mode), {}))
            tol, limit = tolerance_of(task.spec, b, dtype)
            result = TrainResult(task.name, b, "pass", limit, checks=found, native_params=reply.native_params,
                                 seconds=reply.seconds, variant_of=of, optimizer=task.optimizer, tolerance=tol)
            apply_divergences(result, task.spec, b, dtype, optimizer=task.optimizer)
            results[(key, b)] = result
            for kind, (gap, quantity) in gaps.items():
                if gap > measured.get((kind, b), (0.0,))[0]:
                    measured[(kind, b)] = (gap, quantity, task.name)
        ordered = [results[((t.name, t.optimizer), b)] for t in todo for b in backend_names
                   if ((t.name, t.optimizer), b) in results]
        return TrainRun(dtype, seed, steps, sorted({t.optimizer for t in todo}, key=list(optim.OPTIMIZERS).index),
                        list(backend_names), pool.versions(), ordered, conventions(measured),
                        time.perf_counter() - started)
    finally:
        if own_dir:
            shutil.rmtree(work, ignore_errors=True)


def conventions(measured: dict) -> list:
    """What the run measured about the rules that frameworks document differently: how far each
    backend's own rule is from the other one, on that backend's own values, as a fraction of the update."""
    out = []
    adam = {b: v for (kind, b), v in measured.items() if kind == "adam_eps"}
    if adam:
        gap, quantity, name = max(adam.values())
        by = {}
        for b in adam:
            by.setdefault(optim.rule_of(b).adam_eps, []).append(b)
        placement = "; ".join(f"{', '.join(bs)}: {where}" for where, bs in sorted(by.items()))
        out.append(f"Adam's eps ({placement}): the two rules differ by up to {gap:.1e} of an update "
                   f"({name} {quantity})")
    for (kind, b), (gap, quantity, name) in sorted(measured.items()):
        if kind == "float32" and gap > 0:
            names = ", ".join(sorted(optim.rule_of(b).float32))
            out.append(f"{b} takes {names} as float32: {gap:.1e} of an update from the float64 "
                       f"hyper-parameters ({name} {quantity})")
    return out
