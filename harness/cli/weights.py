"""``--params``, ``--inputs`` and ``--native``: the user's own weights and inputs in a run of one block.

``given(args)`` reads and checks the files before any worker starts (harness.userfiles; each problem is one
line, exit status 2). ``native(...)`` asks each ``--native`` framework's worker what its own file holds
(harness.native), judges it against the canonical weights (harness.diagnose) and returns the overrides
that make the run compare that framework with the user's weights.
"""

from __future__ import annotations

import dataclasses
import os

import backends
import specs
from harness import diagnose, userfiles
from harness.cli.options import UsageError, choices_error


@dataclasses.dataclass
class Own:
    name: str  # the block
    given: dict  # protocol key -> array, in place of the drawn ones
    lines: list  # what the report says about them
    native: list  # [(backend, path)]
    source: str  # where the canonical weights come from, for the verdicts
    json: dict = dataclasses.field(default_factory=dict)
    wrong: bool = False  # a --native file differs from the canonical weights


def add_options(p) -> None:
    g = p.add_argument_group("your weights and inputs (one block)")
    g.add_argument("--params", metavar="FILE", help="canonical weights (PyTorch state_dict names and layouts) "
                   "from .safetensors, .npz or a PyTorch checkpoint (read with torch.load(weights_only=True)); "
                   "never unpickled otherwise")
    g.add_argument("--inputs", metavar="FILE.npz", help="the block's inputs by name, in place of the seeded "
                   "ones (an input the file lacks keeps its seeded draw)")
    g.add_argument("--native", metavar="FW=FILE", action="append", default=[],
                   help="a framework's own weights file (keras .weights.h5, flax .msgpack/.safetensors, gluon "
                   ".params, torch state_dict), loaded as your code loads it: each parameter is checked against "
                   "the canonical weights, a difference named by the conversion mistake that explains it, and "
                   "the block compared with that framework running your file (repeatable)")


def _parse_native(items, chosen) -> list:
    out = []
    for item in items:
        fw, sep, path = item.partition("=")
        if not sep or not fw or not path:
            raise UsageError(f"--native {item!r} is not FW=FILE. Expected e.g. --native keras=model.weights.h5")
        if fw not in backends.names():
            raise choices_error("framework in --native", [fw], backends.names())
        if fw not in chosen:
            raise UsageError(f"--native {item}: {fw} is not among --backends. Expected one of: {', '.join(chosen)}")
        if fw in [b for b, _ in out]:
            raise UsageError(f"--native names {fw} more than once. Expected one file per framework")
        from harness.native import formats

        extensions, how = formats(fw)
        if not os.path.exists(path):
            raise UsageError(f"{path}: does not exist (--native {fw})")
        if not os.path.isfile(path):
            raise UsageError(f"{path}: is not a file (--native {fw})")
        if not path.lower().endswith(extensions):
            raise UsageError(f"{path}: {fw} cannot read this file ({how}). Expected a file ending in "
                             f"{' or '.join(extensions)}")
        out.append((fw, path))
    return out


def given(args) -> Own | None:
    """The user's files of this run, read and checked; None when there are none."""
    if not (args.params or args.inputs or args.native):
        return None
    used = [o for o, v in (("--params", args.params), ("--inputs", args.inputs), ("--native", args.native)) if v]
    if len(args.specs) != 1:
        raise UsageError(f"{' and '.join(used)} need exactly one block (the file's names are that block's), "
                         f"not {len(args.specs)}. Expected e.g. compare.py lenet {used[0]} FILE")
    name = args.specs[0]
    spec = specs.resolve(name)[0]
    native = _parse_native(args.native, args.backends)
    values, lines, record = {}, [], {}
    try:
        if args.params:
            params = userfiles.load_params(args.params, spec)
            for k, v in params.items():
                kind = "param" if k in spec.params else "state" if k in spec.state else "const"
                values[f"{kind}:{k}"] = v
            kept = [k for k in spec.constants if k not in params]
            source = f"--params {args.params}"
            lines.append(f"weights: {args.params}" + (f" (constants {', '.join(kept)}: seeded draw)" if kept else ""))
        else:
            source = f"the seeded draw (seed {args.seed}; no --params given)"
            lines.append(f"weights: {source}")
        if args.inputs:
            inputs, missing = userfiles.load_inputs(args.inputs, spec)
            values.update({f"input:{k}": v for k, v in inputs.items()})
            lines.append(f"inputs: {args.inputs}" + (f" ({', '.join(missing)} not in it: seeded draw)"
                                                      if missing else ""))
        else:
            lines.append(f"inputs: seeded draw (seed {args.seed})")
    except userfiles.BadFile as e:
        raise UsageError(str(e)) from None
    record = {"params": args.params, "inputs": args.inputs, "lines": list(lines)}
    return Own(name, values, lines, native, source, record)


def native(own: Own, s, args) -> dict:
    """Ask, judge and report each ``--native`` file; the run's ``overrides`` for those frameworks."""
    from harness import native as nat
    from harness.data import make_case
    from harness.protocol import save_arrays

    spec = specs.resolve(own.name)[0]
    mode = "eval" if "eval" in spec.modes else spec.modes[0]
    case = make_case(spec, args.seed, args.dtype, mode, own.given, computed=({}, {}))  # no reference needed here
    arrays_path = s.work / f"{own.name}.native.npz"
    save_arrays(arrays_path, case.arrays())
    expected = {**case.params, **case.constants, **case.state}
    overrides, report = {}, {}
    for fw, path in own.native:
        got = nat.ask(s.pool, own.name, fw, path, arrays_path, s.work / f"{own.name}.native.{fw}.npz",
                      args.dtype, mode, args.seed)
        if isinstance(got, str):
            raise UsageError(f"{path}: {fw} could not load it ({nat.formats(fw)[1]}): {got}")
        found, hyps = got
        verdicts = diagnose.judge(expected, found, hyps)
        own.lines += [""] + diagnose.render(fw, path, own.source, verdicts)
        own.wrong |= any(not v.equal for v in verdicts)
        report[fw] = {"file": path, "parameters": [v.as_json() for v in verdicts]}
        kind = {**{k: "param" for k in spec.params}, **{k: "const" for k in spec.constants},
                **{k: "state" for k in spec.state}}
        overrides[(own.name, fw)] = {f"{kind[k]}:{k}": v for k, v in found.items() if k in kind}
    own.json["native"] = report
    return overrides
