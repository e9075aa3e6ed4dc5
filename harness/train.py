"""``compare.py train``: N steps of each framework's own optimizer, every step checked against float64.

From the same canonical parameters (and state), one seeded batch and a seeded target of each output's
shape, each backend runs N steps of its own optimizer on ``sum over outputs of mean((out - target)²)``
(a block with a training mode trains in it, so BatchNorm uses and moves batch statistics; dropout trains
with dropout off, its training mode being random). Step k of every backend is then checked as a
transition from that backend's own parameters and state after step k - 1 (the canonical start for
k = 1), so each check sees one step's error and nothing accumulates — the optimizer state included: step
k's rule starts from the optimizer state the backend itself reported after step k - 1 (over a long Adam
run, a float32 beta2 would otherwise pull the rule's own second moment away by 1e-5):

* ``step<k>:loss``: the float64 reference loss at those parameters and state, relative to the size of
  the terms it subtracts (``sum(mean((|output| + |target|)²))``);
* ``step<k>:grad:<param>``: the framework's own loss gradient; at step 1 judged as ``compare`` judges it
  (``checks.judge_gradient``: against the backends' median and along random directions against central
  differences of the reference loss; no framework is trusted), later present, of its shape and finite;
  a gradient declared zero by construction (``ZeroGrad``) against 0 at its stated scale, every step;
* ``step<k>:<param>``: the documented update rule of *that* framework (``harness.optim``) applied in
  float64 to its own gradients; the error is relative to the size of the update, up to the rounding of
  the parameter it is added to (UPDATE_ULPS ulp of its largest element);
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
import time
import warnings

import numpy as np

import backends
import specs
from harness import checks, dump, optim, userblocks
from harness.data import make_case, make_target, reference_step, rng
from harness.protocol import load_arrays, save_arrays, work_folder
from harness.run import Result, apply_divergences, beside, declared_divergence, vote
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


def train_directions(spec, case, mode, targets, param: str, seed: int, draw: int | None = None,
                     seen: list | None = None, size: float | None = None) -> list:
    """The float64 reference's directional derivatives of the training loss at the canonical start,
    along random directions of one parameter (``checks.smooth_directions``; ``draw`` and ``seen`` as for
    ``checks.reference_directions``). ``size``: ``reference_loss(..., scale=True)[2]`` at that start, where
    the caller has it already (every parameter of a block shares it)."""
    params = {k: v.astype(np.float64) for k, v in case.params.items()}
    state = {k: v.astype(np.float64) for k, v in case.state.items()}
    if size is None:
        size = reference_loss(spec, case, mode, params, state, targets, scale=True)[2]
    along = lambda u, ts: [reference_loss(spec, case, mode, {**params, param: params[param] + t * u}, state,
                                          targets)[0] for t in ts]
    g = rng(seed, spec.name, "train", param, *(() if draw is None else (f"draw{draw}",)))
    return checks.smooth_directions(f"step1:grad:{param}", params[param], along, g, size, seen=seen)


# An update below the parameter's rounding is measured against this many ulp of it: the framework's own
# rounding of ``p - lr * u`` is up to ~1 ulp (with or without a fused multiply-add, by CPU), so a verdict
# there must sit well below the threshold, not at half of it (as 2 ulp would put it).
UPDATE_ULPS = 8


def update_check(quantity, got, want, before, tolerance, dtype) -> checks.Check:
    """A parameter after a step, relative to the size of the update: ``max|got - want|`` over
    ``max|want - before|`` plus what rounding the parameter itself costs (UPDATE_ULPS ulp of its largest element,
    over the tolerance), so that a float32 update far smaller than its parameter is not held to more
    digits than the parameter has."""
    check = checks.compare(quantity, got, want, tolerance)
    if check.max_abs_err is None:
        return check
    scale = float(np.abs(want - before).max())
    rounding = UPDATE_ULPS * float(np.finfo(dtype).eps) * float(np.abs(before).max()) / tolerance
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
                   first_directions: dict | None = None, agreed: dict | None = None, start: tuple | None = None):
    """The checks of one backend's training run, and how far its rule is from the other documented ones
    on its own values: {"adam_eps": (gap, quantity), "float32": (gap, quantity)}, as a fraction of the
    update.

    Gradients are judged as ``compare`` judges them (``checks.judge_gradient``) at step 1, where every
    backend and optimizer starts from the same parameters: against the median of the backends'
    gradients (``agreed``: quantity -> (median, the one backend it comes from, or None)) and along
    random directions of the reference loss (computed once, ``first_directions``, a cache by quantity).
    ``start``: the reference's ``reference_loss(..., scale=True)`` at the canonical start, the same for
    every backend and optimizer (``starts``), or None to compute it here.
    After it each gradient must be present, of its shape and finite: it is the same code on parameters
    one update away, and each step's loss and update are checked against the reference. A gradient
    declared zero by construction (``ZeroGrad``) is compared with 0 at every step."""
    first_directions = {} if first_directions is None else first_directions
    agreed = agreed or {}
    spec, opt, mode = task.spec, optim.OPTIMIZERS[task.optimizer], task.mode
    rule, tol = optim.rule_of(backend, dtype), tolerance_of(spec, backend, dtype)[0]
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
        loss, new_state, size = start if k == 1 and start is not None else \
            reference_loss(spec, case, mode, current, current_state, targets, scale=True)
        check = checks.compare(f"{pre}loss", arrays.get(f"{pre}loss"), np.asarray(loss), tol)
        if check.max_abs_err is not None:  # relative to the size of the terms, not of their difference
            check.max_rel_err = check.max_abs_err / size if size > 0 else check.max_abs_err
            check.passed = check.max_rel_err <= tol
        found.append(check)
        medians = {q: agreed.get(f"{pre}grad:{q}", (np.zeros_like(v), None))[0] for q, v in current.items()}
        scales = checks.gradient_scales(spec, mode, {f"grad:{q}": g for q, g in medians.items()})
        for q, before in current.items():
            quantity, grad = f"{pre}grad:{q}", arrays.get(f"{pre}grad:{q}")
            zero = spec.zero_grad(q, mode)
            if zero is not None or k == 1:
                scale, scale_of = scales.get(f"grad:{q}", (0.0, ""))
                if zero is None and q not in first_directions:
                    first_directions[q] = train_directions(spec, case, mode, targets, q, seed, size=size)
                median, alone = agreed.get(quantity, (np.zeros_like(before), None))
                check = checks.judge_gradient(quantity, grad, median, tol, dtype, zero=zero, scale=scale,
                                              scale_of=f"{pre}{scale_of}", alone=alone == backend,
                                              directions=first_directions.get(q, ()) if zero is None else ())
            else:
                check = checks.compare(quantity, grad, np.zeros_like(before), tol)  # absent, shape, NaN?
                if check.max_abs_err is not None:
                    check = checks.Check(quantity, 0.0, 0.0, True, "present, shaped and finite (judged at step 1)",
                                         tolerance=tol)
            found.append(check)
            if grad is None:  # no gradient, no update: the gradient check above says so
                continue
            want, new_opt = optim.update(opt, rule, k, before, grad, opt_state[q])
            found.append(update_check(f"{pre}{q}", arrays.get(f"{pre}{q}"), want, before, tol, dtype))
            for name, value in new_opt.items():
                found.append(checks.compare(f"{pre}{name}:{q}", arrays.get(f"{pre}{name}:{q}"), value, tol))
            for kind, other in others.items():
                if zero is not None:  # an update of rounding noise says nothing about the rules
                    continue
                alt = optim.update(opt, other, k, before, grad, opt_state[q])[0]
                gap = float(np.abs(alt - want).max() / max(np.abs(want - before).max(), 1e-300))
                gaps[kind] = max(gaps[kind], (gap, f"{pre}{q}"))
            # the next step starts from this backend's own parameters and optimizer state (the rule's where
            # it gave none): each step is one transition, and no error of an earlier step accumulates
            params[q] = np.asarray(arrays.get(f"{pre}{q}", want), np.float64)
            opt_state[q] = {name: np.asarray(arrays.get(f"{pre}{name}:{q}", value), np.float64)
                            for name, value in new_opt.items()}
        for b, want in new_state.items():
            found.append(checks.compare(f"{pre}state:{b}", arrays.get(f"{pre}state:{b}"), want, tol))
            state[b] = np.asarray(arrays.get(f"{pre}state:{b}", want), np.float64)
    for c in found:
        c.mode = mode
    return found, gaps


def starts(todo, cases, seed: int, first: dict, start: dict) -> None:
    """What every backend's and optimizer's checks of a block share, all at the canonical start: the
    reference's loss (``start``, by (task name, mode)) and its directional derivatives (``first``, by (task
    name, mode), then parameter). ``train_backends`` computes them while the workers train."""
    for task in todo:
        key = (task.name, task.mode)
        if key in start or (task.name, task.spec.name) not in cases:
            continue
        spec, (case, targets, _) = task.spec, cases[(task.name, task.spec.name)]
        params = {k: v.astype(np.float64) for k, v in case.params.items()}
        state = {k: v.astype(np.float64) for k, v in case.state.items()}
        start[key] = reference_loss(spec, case, task.mode, params, state, targets, scale=True)
        mine = first.setdefault(key, {})
        for q in params:
            if spec.zero_grad(q, task.mode) is None and q not in mine:
                mine[q] = train_directions(spec, case, task.mode, targets, q, seed, size=start[key][2])


def agreed_gradients(task: Task, arrays_of: dict, steps: int, dtype: str) -> dict:
    """``step<k>:grad:<param>`` -> (the median of the backends' gradients, the one backend it comes from
    or None), as ``compare`` votes: a backend with a declared precision limit for the block, or declared
    divergent on the quantity, does not vote unless none is left."""
    spec = task.spec
    voters = [b for b in arrays_of if not backends.info(b).TOLERANCES.get((spec.name, dtype))] or list(arrays_of)
    out = {}
    for k in range(1, steps + 1):
        for q, p in spec.params.items():
            quantity = f"step{k}:grad:{q}"
            sound = [b for b in voters if declared_divergence(b, spec.name, task.mode, quantity, dtype) is None
                     and declared_divergence(b, spec.name, task.optimizer, quantity, dtype, "TRAIN_DIVERGENCES")
                     is None]
            out[quantity] = vote({b: arrays_of[b].get(quantity) for b in sound or voters}, tuple(p.shape))
    return out


NO_NUMPY_REFERENCE = ("training needs a NumPy reference: every step's loss, gradients and update are checked "
                      "against the spec's float64 NumPy function, and this spec's reference is the PyTorch "
                      "realisation in float64 (reference='torch')")


def train_backends(pool, names, backend_names, optimizers=tuple(optim.OPTIMIZERS), dtype="float32", seed=0,
                   steps=optim.STEPS, on_event=None, work_dir=None, dump=None, meta=None) -> TrainRun:
    """``steps`` steps of each optimizer on each block in each backend, every step checked (the module's
    docstring). ``dump``: also write the cases, every backend's arrays and a manifest there, what
    ``compare.py merge`` judges again with the dumps of other runs (``harness.dump``; ``meta``: more for the
    manifest)."""
    started = time.perf_counter()
    with work_folder(work_dir, "blockparity-train-") as work:
        todo = tasks(names, optimizers)
        jobs, slot_of, results, cases = {b: [] for b in backend_names}, {}, {}, {}
        for task in todo:
            spec, key = task.spec, (task.name, task.optimizer)
            if spec.reference_backend:  # no update rule can be checked without a reference of the loss
                for b in backend_names:
                    results[(key, b)] = TrainResult(task.name, b, "skipped", NO_NUMPY_REFERENCE,
                                                    optimizer=task.optimizer)
                continue
            if (task.name, task.spec.name) not in cases:
                case = make_case(spec, seed, dtype, task.mode)
                targets = make_target(spec, case, seed, dtype)
                path = work / f"{task.name}.{dtype}.npz"
                save_arrays(path, {**case.arrays(), **{f"target:{k}": t for k, t in targets.items()}})
                cases[(task.name, spec.name)] = (case, targets, path)
            case, targets, path = cases[(task.name, spec.name)]
            for b in backend_names:
                gap = userblocks.gap(spec, b) if spec.origin else backends.gap(b, spec.module, dtype)
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
        first = {}  # (block, mode) -> the reference's directions at step 1, shared by backends and optimizers
        start = {}  # (block, mode) -> the reference's loss, new state and size at step 1, shared likewise
        busy = {id(t) for t in slot_of.values()}  # the tasks some backend trains
        with beside(lambda: starts([t for t in todo if id(t) in busy], cases, seed, first, start)):
            replies = pool.run({b: j for b, j in jobs.items() if j}, on_event)

        order = sorted(replies)  # the backends' names, then the tasks: not the order of replies
        answered = [(slot_of[bi], bi[0], replies[bi]) for bi in order]
        got = {(slot_of[bi].name, slot_of[bi].optimizer, bi[0]): load_arrays(jobs[bi[0]][bi[1]]["out"])
               for bi in order if replies[bi].status == "ok"}
        ordered, measured = judge_training(todo, backend_names, cases, answered, got, results, steps, dtype, seed,
                                           first, start)
        run = TrainRun(dtype, seed, steps, sorted({t.optimizer for t in todo}, key=list(optim.OPTIMIZERS).index),
                       list(backend_names), pool.versions(), ordered, conventions(measured, dtype),
                       time.perf_counter() - started)
        if dump is not None:
            write_training_dump(dump, run, todo, cases, answered, jobs, slot_of, pool.environment(), meta)
        return run


def judge_training(todo, backend_names, cases, answered, got, results, steps, dtype, seed, first, start) -> tuple:
    """Judge every backend's training arrays (``got``: (task name, optimizer, backend) -> arrays), as one run
    and ``compare.py merge`` alike. ``answered``: [(task, backend, Reply)] in the order of the backends'
    names, then of ``todo``; ``results`` holds the rows decided without a reply (skips) and gets the rest.
    Returns (the results in the report's order, what each backend's rules measured: ``conventions``)."""
    measured = {}  # (kind, backend) -> (gap, quantity, block)
    agreed = {}  # (task name, optimizer) -> the backends' agreed gradients, the same for each of them
    of_task = {}  # (task name, optimizer) -> {backend: its arrays}
    for (name, optimizer, b), arrays in got.items():
        of_task.setdefault((name, optimizer), {})[b] = arrays
    for task, b, reply in answered:
        key = (task.name, task.optimizer)
        of = task.spec.name if task.name != task.spec.name else None
        if reply.status != "ok":
            results[(key, b)] = TrainResult(task.name, b, reply.status, reply.reason, detail=reply.detail,
                                            seconds=reply.seconds, variant_of=of, optimizer=task.optimizer)
            continue
        case, targets, _ = cases[(task.name, task.spec.name)]
        if key not in agreed:
            agreed[key] = agreed_gradients(task, of_task[key], steps, dtype)
        found, gaps = check_training(task, case, targets, of_task[key][b], b, steps, dtype, seed,
                                     first.setdefault((task.name, task.mode), {}), agreed[key],
                                     start.get((task.name, task.mode)))
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
    return ordered, measured


def write_training_dump(root, run, todo, cases, answered, jobs, slot_of, environment, meta) -> None:
    """DIR/<block>/case.npz (what every worker was given: the case and its targets), DIR/<block>/<optimizer>.
    <backend>.npz (what each one answered, every step's arrays) and, last, DIR/manifest.json."""
    root = pathlib.Path(root)
    for (name, _), (_, _, path) in cases.items():
        (root / name).mkdir(parents=True, exist_ok=True)
        shutil.copyfile(path, root / name / "case.npz")
    answers, job = [], {(b, id(t)): jobs[b][i] for (b, i), t in slot_of.items()}
    for task, b, reply in answered:
        if reply.status == "ok":
            shutil.copyfile(job[(b, id(task))]["out"], root / task.name / f"{task.optimizer}.{b}.npz")
        answers.append({"spec": task.name, "optimizer": task.optimizer, "backend": b, "mode": task.mode,
                        "status": reply.status, "reason": reply.reason, "detail": reply.detail,
                        "seconds": reply.seconds, "native_params": reply.native_params})
    asked = {(a["spec"], a["optimizer"], a["backend"]) for a in answers}
    for r in run.results:  # the rows decided without asking a worker: skips
        if (r.spec, r.optimizer, r.backend) not in asked:
            answers.append({"spec": r.spec, "optimizer": r.optimizer, "backend": r.backend, "mode": None,
                            "status": r.status, "reason": r.reason})
    manifest = {"format": dump.FORMAT, "blockparity": dump.blockparity_version(), "command": "train",
                "seed": run.seed, "dtype": run.dtype, "steps": run.steps, "optimizers": run.optimizers,
                "names": list(dict.fromkeys(t.name for t in todo)), "backends": run.backends,
                "versions": run.versions, "environment": environment,
                "blocks": {t.spec.name: {"spec": t.spec.name, "digest": dump.spec_digest(t.spec)} for t in todo
                           if not t.spec.reference_backend},  # that one is skipped: nothing of it to judge again
                "require": [], **(meta or {}), "answers": answers, "timing": {"wall_s": round(run.wall_s, 3)}}
    dump.write_manifest(root, manifest)


def conventions(measured: dict, dtype: str) -> list:
    """What the run measured about the rules that frameworks document differently: how far each
    backend's own rule is from the other one, on that backend's own values, as a fraction of the update."""
    out = []
    adam = {b: v for (kind, b), v in measured.items() if kind == "adam_eps"}
    if adam:
        gap, quantity, name = max(adam.values())
        by = {}
        for b in sorted(adam, key=backends.names().index):  # column order, not the order replies came in
            by.setdefault(optim.rule_of(b, dtype).adam_eps, []).append(b)
        placement = "; ".join(f"{', '.join(bs)}: {where}" for where, bs in sorted(by.items()))
        out.append(f"Adam's eps ({placement}): the two rules differ by up to {gap:.1e} of an update "
                   f"({name} {quantity})")
    for (kind, b), (gap, quantity, name) in sorted(measured.items()):
        if kind == "float32" and gap > 0:
            names = ", ".join(sorted(optim.rule_of(b, dtype).float32))
            out.append(f"{b} takes {names} as float32: {gap:.1e} of an update from the float64 "
                       f"hyper-parameters ({name} {quantity})")
    return out
