"""``compare.py merge PATH...``: the one report of runs made apart (one framework or one shard each).

A CI gives frameworks that cannot share an environment one job each; this is the comparison across the
jobs. Each job runs ``compare.py ... --dump DIR``; the merge reads the dumps (``harness.dump``) and judges
their arrays together exactly as one run judges its workers' replies (``harness.run.judge_arrays``): the
float64 reference, the cases and the directional derivatives are recomputed here from the seed and the
dumped case arrays, the gradient consensus is taken over every framework of every part, and failures are
localised from the dumped taps. Nothing is copied from the parts' own verdicts, and no framework or worker
is needed: the merge runs in an environment with NumPy alone. The dumps of ``compare.py train`` merge the
same way (``merge_training``: every step judged again, ``harness.train.judge_training``).

Refused (``MergeError``, one line, exit status 2) before anything is judged: parts of different commands
(compare and train) or, for training, of other ``--steps`` or optimizers; parts whose seed, dtype,
blockparity version, ``--taps``, user files (``--params``, ``--inputs`` digests; a ``--native`` file per
framework) or framework versions differ; a block whose spec digest differs between parts or from this
checkout's, or whose reference is a realisation (``reference="torch"``: the merge runs no framework); the
same block × backend in two parts; a block one part selected that no part ran (a missing shard); an
interrupted part; and case arrays that differ where they must be equal.

A ``.json`` report given beside the dumps (``out/*`` globs both) is checked to be the report of one of the
dumps and otherwise ignored: every verdict is recomputed from the arrays.
"""

from __future__ import annotations

import dataclasses
import json
import pathlib

import numpy as np

import backends
import specs
from harness import checks, dump
from harness.data import make_case
from harness.pool import Reply
from harness.run import Result, Run, answer, judge_arrays


class MergeError(Exception):
    """A set of parts that cannot be merged into the report of one run."""


@dataclasses.dataclass
class Part:
    path: pathlib.Path
    manifest: dict

    @property
    def rows(self) -> set:
        """(block, backend), or (block, optimizer, backend) for a training run: what this part answered."""
        return {row(a) for a in self.manifest["answers"]}

    def __str__(self) -> str:
        return str(self.path)


def row(answer: dict) -> tuple:
    """What one answer is about: (block, backend), or (block, optimizer, backend) in a training run."""
    return (answer["spec"], answer["optimizer"], answer["backend"]) if "optimizer" in answer else \
        (answer["spec"], answer["backend"])


def read(paths) -> list[Part]:
    """The dumps among ``paths``, each with its manifest; the .json reports checked to belong to one."""
    parts, reports = [], []
    for p in map(pathlib.Path, paths):
        if p.is_dir():
            if not (p / dump.MANIFEST).is_file():
                raise MergeError(f"{p}: no {dump.MANIFEST}, so not the --dump of a finished run. Expected the "
                                 "folder a run's --dump DIR wrote")
            try:
                m = json.loads((p / dump.MANIFEST).read_text(encoding="ascii"))
            except (OSError, ValueError) as e:
                raise MergeError(f"{p / dump.MANIFEST}: unreadable ({e})") from None
            if m.get("format") != dump.FORMAT:
                raise MergeError(f"{p}: manifest format {m.get('format')!r}; this version reads {dump.FORMAT}. "
                                 "Expected dumps made by this version of blockparity")
            parts.append(Part(p, m))
        elif p.suffix.lower() == ".json" and p.is_file():
            reports.append(p)
        else:
            raise MergeError(f"{p}: neither a --dump folder nor a run's .json report")
    if not parts:
        raise MergeError("no --dump folder given. Expected the folders the runs' --dump DIR wrote")
    for r in reports:
        _match_report(r, parts)
    return parts


def _match_report(path: pathlib.Path, parts: list) -> None:
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
        key = (doc["dtype"], doc["seed"], {row(r) for r in doc["results"]})
    except (OSError, ValueError, KeyError, TypeError) as e:
        raise MergeError(f"{path}: not a run's --json report ({e})") from None
    if not any(key == (p.manifest["dtype"], p.manifest["seed"], p.rows) for p in parts):
        raise MergeError(f"{path}: the report of a run whose --dump is not among the folders given. Expected "
                         "each .json beside the dump of the same run")


def _same(parts, what: str, get, noun: str) -> None:
    values = {}
    for p in parts:
        values.setdefault(json.dumps(get(p.manifest), sort_keys=True), p)
    if len(values) > 1:
        (a, pa), (b, pb) = list(values.items())[:2]
        raise MergeError(f"the runs differ in {what}: {a} ({pa}) but {b} ({pb}). Expected {noun}")


def check(parts: list) -> None:
    """Every refusal of the module docstring, one line each."""
    _same(parts, "command", lambda m: m.get("command", "compare"), "runs of one command: compare.py, or "
          "compare.py train")
    _same(parts, "--steps", lambda m: m.get("steps"), "training runs made with one --steps")
    _same(parts, "optimizers", lambda m: m.get("optimizers"), "training runs made with one --optimizer (or none)")
    _same(parts, "seed", lambda m: m["seed"], "runs made with one --seed")
    _same(parts, "dtype", lambda m: m["dtype"], "runs made with one --dtype")
    _same(parts, "blockparity version", lambda m: m["blockparity"], "runs made by one version of blockparity")
    here = dump.blockparity_version()
    if parts[0].manifest["blockparity"] != here:
        raise MergeError(f"{parts[0]} was made by blockparity {parts[0].manifest['blockparity']}, this is {here}. "
                         "Expected runs made by the version that merges them")
    _same(parts, "--taps", lambda m: m.get("taps"), "runs made all with --taps or all without")
    _same(parts, "--params/--inputs files", lambda m: {k: v for k, v in m.get("files", {}).items() if k != "native"},
          "runs given the same files (sha256)")
    native, versions, owner, seen = {}, {}, {}, {}
    for p in parts:
        for fw, digest in p.manifest.get("files", {}).get("native", {}).items():
            if native.setdefault(fw, (digest, p))[0] != digest:
                raise MergeError(f"the runs differ in the --native file of {fw}: {native[fw][1]} and {p} were given "
                                 "different files. Expected one file per framework")
        for b, v in p.manifest["versions"].items():
            if versions.setdefault(b, (v, p))[0] != v:
                raise MergeError(f"the runs ran different versions of {b}: {versions[b][0]} ({versions[b][1]}) and "
                                 f"{v} ({p}). Expected one version per framework")
        unknown = [b for b in p.manifest["backends"] if b not in backends.names()]
        if unknown:
            raise MergeError(f"{p}: unknown backend {', '.join(unknown)}. "
                             f"Expected one of: {', '.join(backends.names())}")
        for name, block in p.manifest["blocks"].items():
            if name not in specs.known_names():
                raise MergeError(f"{p}: block {name!r} is not defined here. Expected runs of this checkout's blocks")
            spec = specs.resolve(name)[0]
            if spec.reference_backend:
                raise MergeError(f"{p}: block {name!r} takes its reference from {spec.reference_backend} "
                                 f"(reference={spec.reference_backend!r}), which a merge cannot run. Expected blocks "
                                 "with a NumPy reference (run that block whole, in one job)")
            digest = dump.spec_digest(spec)
            if block["digest"] != digest:
                raise MergeError(f"{p}: block {name!r} was defined differently there (spec digest "
                                 f"{block['digest'][:12]}, here {digest[:12]}). Expected runs of the same block "
                                 "definitions")
        rows = p.rows  # in the order of the blocks, then the backends (training: of the answers)
        ordered = [r for r in dict.fromkeys(map(row, p.manifest["answers"])) if len(r) == 3] or \
            [(n, b) for n in p.manifest["blocks"] for b in p.manifest["backends"] if (n, b) in rows]
        for ran in ordered:
            if ran in owner:
                raise MergeError(f"{owner[ran]} and {p} both ran {' x '.join(ran)}. Expected parts that do not "
                                 "overlap (one framework or one shard each)")
            owner[ran] = p
        stopped = [a for a in p.manifest["answers"] if a["status"] == "interrupted"]
        if stopped:
            raise MergeError(f"{p}: that run was interrupted ({stopped[0]['reason']}). Expected finished runs")
        for name in p.manifest.get("selection", []):
            seen.setdefault(name, p)
    ran = {name for p in parts for name in p.manifest.get("names", p.manifest["blocks"])}  # names: training
    missing = [n for n in seen if n not in ran]
    if missing:
        shard = seen[missing[0]].manifest.get("shard")
        raise MergeError(f"{seen[missing[0]]} selected {', '.join(missing)}, which no part ran"
                         f"{f' (it is shard {shard}: is another shard missing?)' if shard else ''}. "
                         "Expected every part of the split")


def merge(paths) -> Run:
    """The Run (a TrainRun for training runs) that one run of every part's blocks on every part's backends
    would have given."""
    return merge_parts(read(paths))


def merge_parts(parts: list) -> Run:
    """``merge`` of the dumps ``read`` found."""
    check(parts)
    if parts[0].manifest.get("command") == "train":
        return merge_training(parts)
    first = parts[0].manifest
    seed, dtype, taps = first["seed"], first["dtype"], first["taps"]
    order = list(dict.fromkeys([n for p in parts for n in p.manifest.get("selection", [])]
                               + [n for p in parts for n in p.manifest["blocks"]]))
    names = [n for n in order if any(n in p.manifest["blocks"] for p in parts)]
    todo = [(n, *specs.resolve(n)) for n in names]
    used = {b for p in parts for b in p.manifest["backends"]}
    backend_names = [b for b in backends.names() if b in used]

    cases, directions = {}, {}
    for name, spec, _ in todo:
        holders = [p for p in parts if name in p.manifest["blocks"]]
        given, cotangents = dump.read_case(spec, holders[0].path / name)
        for other in holders[1:]:
            again = dump.read_case(spec, other.path / name)
            if not _equal((given, cotangents), again):
                raise MergeError(f"{holders[0]} and {other} hold different arrays for {name}'s case. Expected the "
                                 "same inputs and weights, as one seed and the same files give")
        for mode in spec.modes:
            case = make_case(spec, seed, dtype, mode, given)
            if not _equal(case.cotangents, cotangents):
                raise MergeError(f"{holders[0]}: {name}'s cotangents are not those seed {seed} draws here. Expected "
                                 "runs of this version of the harness")
            cases[(name, mode)] = case
            directions[(name, mode)] = checks.reference_directions(spec, case, seed, dtype)

    results, got, lost = {}, {}, {}
    for p in parts:
        for a in p.manifest["answers"]:
            name, b, mode = a["spec"], a["backend"], a["mode"]
            spec, variant = specs.resolve(name)
            if mode is None:  # a documented gap, a mistake about another framework
                results[(name, b)] = Result(name, b, a["status"], a["reason"],
                                            variant_of=spec.name if variant else None)
                continue
            path = p.path / name / dump.arrays_file(spec, b, mode)
            if a["status"] == "ok" and not path.is_file():
                raise MergeError(f"{path}: missing, though {p}'s manifest says {b} answered {name} ({mode})")
            reply = Reply(a["status"], a.get("reason", ""), a.get("detail", ""), a.get("seconds", 0.0),
                          a.get("native_params", []))
            answer(results, got, lost, name, b, mode, reply, path)

    overridden = {tuple(o) for p in parts for o in p.manifest["overridden"]}
    judge_arrays(todo, backend_names, cases, directions, results, got, lost, dtype, overridden=overridden,
                 taps=taps, tapped=got)
    ordered = [results[(n, b)] for n, _, _ in todo for b in backend_names if (n, b) in results]
    versions = {b: v for p in parts for b, v in p.manifest["versions"].items()}
    workers = {b: t for p in parts for b, t in p.manifest["timing"]["workers"].items()}
    run = Run(dtype, seed, backend_names, {b: versions[b] for b in backend_names if b in versions}, ordered,
              max(p.manifest["timing"]["wall_s"] for p in parts), workers)
    return _beside_results(run, parts)


def merge_training(parts):
    """The TrainRun of one ``compare.py train`` of every part's blocks on every part's backends: each part's
    case checked against the one its seed draws here, every step judged again from the arrays
    (``harness.train.judge_training``: the gradients at step 1 against the median of every part's backends)."""
    from harness.data import make_target
    from harness.protocol import load_arrays
    from harness.train import TrainResult, TrainRun, conventions, judge_training, starts, tasks

    first = parts[0].manifest
    seed, dtype, steps, optimizers = first["seed"], first["dtype"], first["steps"], first["optimizers"]
    ran = {n for p in parts for n in p.manifest["names"]}  # in the order selected (shards run parts of it)
    todo = tasks([n for n in dict.fromkeys([n for p in parts for n in p.manifest.get("selection", [])]
                                           + [n for p in parts for n in p.manifest["names"]]) if n in ran], optimizers)
    position = {(t.name, t.optimizer): i for i, t in enumerate(todo)}
    used = {b for p in parts for b in p.manifest["backends"]}
    backend_names = [b for b in backends.names() if b in used]
    cases, results, got, answered, checked = {}, {}, {}, [], set()
    for p in parts:
        for a in p.manifest["answers"]:
            b, key = a["backend"], (a["spec"], a["optimizer"])
            if key not in position:
                raise MergeError(f"{p}: {a['spec']} with {a['optimizer']} is not a training run of this checkout's "
                                 "blocks. Expected runs of this version of the harness")
            task = todo[position[key]]
            if a["mode"] is None:  # decided without a worker: a documented gap, a mistake about another framework
                results[(key, b)] = TrainResult(task.name, b, a["status"], a["reason"], optimizer=task.optimizer)
                continue
            folder = p.path / task.name
            if (task.name, task.spec.name) not in cases:
                case = make_case(task.spec, seed, dtype, task.mode)
                targets = make_target(task.spec, case, seed, dtype)
                cases[(task.name, task.spec.name)] = (case, targets, None)
            if folder not in checked:  # once per part and block, whatever its optimizers and backends
                checked.add(folder)
                case, targets, _ = cases[(task.name, task.spec.name)]
                try:
                    dumped = load_arrays(folder / "case.npz")
                except OSError:
                    raise MergeError(f"{folder / 'case.npz'}: missing, though {p}'s manifest says {b} trained "
                                     f"{task.name}") from None
                if not _equal({**case.arrays(), **{f"target:{k}": t for k, t in targets.items()}}, dumped):
                    raise MergeError(f"{p}: {task.name}'s case is not the one seed {seed} draws here. Expected runs "
                                     "of this version of the harness")
            reply = Reply(a["status"], a.get("reason", ""), a.get("detail", ""), a.get("seconds", 0.0),
                          a.get("native_params", []))
            answered.append((task, b, reply))
            if a["status"] == "ok":
                path = folder / f"{task.optimizer}.{b}.npz"
                if not path.is_file():
                    raise MergeError(f"{path}: missing, though {p}'s manifest says {b} trained {task.name}")
                got[(task.name, task.optimizer, b)] = load_arrays(path)
    answered.sort(key=lambda tbr: (tbr[1], position[(tbr[0].name, tbr[0].optimizer)]))  # as one run orders them
    first_directions, start = {}, {}
    starts([t for t in todo if (t.name, t.spec.name) in cases], cases, seed, first_directions, start)
    ordered, measured = judge_training(todo, backend_names, cases, answered, got, results, steps, dtype, seed,
                                       first_directions, start)
    versions = {b: v for p in parts for b, v in p.manifest["versions"].items()}
    run = TrainRun(dtype, seed, steps, sorted({t.optimizer for t in todo}, key=list(optimizers).index),
                   backend_names, {b: versions[b] for b in backend_names if b in versions}, ordered,
                   conventions(measured, dtype), max(p.manifest["timing"]["wall_s"] for p in parts))
    return _beside_results(run, parts)


def _beside_results(run, parts):
    """``run`` with what a report says beyond its results, from every part: the workers' environments, the
    required backends that never answered, and which dumps were merged."""
    run.environment = {b: e for p in parts for b, e in p.manifest.get("environment", {}).items()}
    run.required_missing = [line for p in parts for line in _required_missing(p.manifest)]
    run.merged = [{"dump": str(p.path), "backends": p.manifest["backends"], "blocks": list(p.manifest["blocks"]),
                   "shard": p.manifest.get("shard")} for p in parts]
    return run


def _required_missing(m: dict) -> list:
    """A part's ``--require``d backends that never answered, as one run reports them."""
    lines = []
    for b in m.get("require", []):
        asked = [a for a in m["answers"] if a["backend"] == b and a["mode"] is not None]
        if asked and not any(a["status"] == "ok" for a in asked):
            lines.append(f"required backend {b} did not run: {asked[0]['reason'] or 'it never started'}")
    return lines


def _equal(a, b) -> bool:
    """Exact equality of (nested tuples of) dicts of arrays."""
    if isinstance(a, tuple):
        return len(a) == len(b) and all(_equal(x, y) for x, y in zip(a, b))
    return a.keys() == b.keys() and all(np.array_equal(a[k], b[k]) and a[k].dtype == b[k].dtype for k in a)
