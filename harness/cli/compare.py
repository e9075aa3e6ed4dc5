"""``python compare.py [SPEC ...]``: outputs and gradients of each block in each framework, checked."""

from __future__ import annotations

import argparse

import specs
from harness import report
from harness.cli import options, weights
from harness.cli.session import finish, session


def parser() -> options.Parser:
    from harness.cli.commands import COMMANDS, commands_help

    p = options.Parser(prog="compare.py", description="Realise blocks in four frameworks with the same weights "
                       "and check that outputs and gradients agree.", epilog=commands_help(),
                       formatter_class=argparse.RawDescriptionHelpFormatter)
    options.add_specs(p)
    options.add_run_options(p, dump=True, taps=True, shard=True)
    weights.add_options(p)
    p.commands = list(COMMANDS)
    return p


def dump_meta(args, selection) -> dict:
    """What the manifest of a ``--dump`` adds to the run's own record: the selection before sharding and the
    digests of the user's files, which ``compare.py merge`` requires to be the same in every part."""
    from harness.dump import file_digest

    files = {k: file_digest(v) if v else None for k, v in (("params", args.params), ("inputs", args.inputs))}
    files["native"] = {fw: file_digest(path) for fw, path in (x.partition("=")[::2] for x in args.native)}
    return {"selection": list(selection), "shard": "/".join(map(str, args.shard)) if args.shard else None,
            "files": files, "require": args.require}


def main(argv) -> int:
    from harness.run import compare_backends, resolve_names

    p = parser()
    args = p.parse_args(argv)
    options.check_spec_names(args.specs, commands=p.commands)
    options.finish(args)
    selection = args.specs or specs.names()
    args.specs = options.sharded(selection, args.shard)
    own = weights.given(args)  # --params, --inputs, --native: read and checked before any worker starts
    todo = resolve_names(args.specs)
    requests = sum(len(spec.modes) for _, spec, _ in todo)  # one per mode
    with session(args.backends, args.timeout, {b: requests for b in args.backends}, args.quiet,
                 args.specs, workers=args.workers) as s:
        overrides = weights.native(own, s, args) if own and own.native else None
        run = compare_backends(s.pool, args.specs, args.backends, args.dtype, args.seed, dump=args.dump,
                               on_event=s.progress, work_dir=s.work, taps=args.taps, overrides=overrides,
                               given={own.name: own.given} if own else None, meta=dump_meta(args, selection))
    if own is None:
        return finish(run, args, s)
    run.weights = own.json
    status = finish(run, args, s, render=lambda r, color: "\n".join([*own.lines, "", report.table(r, color)]))
    return status or int(own.wrong)
