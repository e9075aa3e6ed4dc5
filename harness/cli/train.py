"""``python compare.py train``: N steps of each framework's own optimizer, every step checked."""

from __future__ import annotations

import specs
from harness import shard
from harness.cli import options
from harness.cli.session import finish, session


def parser() -> options.Parser:
    from harness import optim

    p = options.Parser(prog="compare.py train", description="Run N steps of each framework's own optimizer from "
                       "the same weights and batch; check every step's loss, gradients, parameters, running "
                       "statistics and optimizer state against float64 references of the documented update rules.")
    options.add_specs(p, help="blocks, variants or training traps (default: every block)")
    p.add_argument("--optimizer", choices=list(optim.OPTIMIZERS), help="default: each of them in turn")
    p.add_argument("--steps", default=optim.STEPS, metavar="N",
                   action=options.checked(options.integer(1, options.STEPS_MAX, ": the worker keeps every "
                                                          "step's arrays until it replies")),
                   help=f"steps of each optimizer (1 to {options.STEPS_MAX}: the worker keeps every step's "
                   f"arrays until it replies; default {optim.STEPS})")
    options.add_run_options(p, dump="write the cases and every backend's arrays of every step as .npz under DIR, "
                            "with a manifest for compare.py merge",
                            shard=str(shard.TRAIN_COSTS.relative_to(shard.ROOT)))
    return p


def main(argv) -> int:
    from harness import optim
    from harness.report import train_table
    from harness.train import tasks, train_backends

    args = parser().parse_args(argv)
    options.check_spec_names(args.specs, extra=[t.name for t in optim.TRAPS])
    options.finish(args)
    optimizers = [args.optimizer] if args.optimizer else list(optim.OPTIMIZERS)
    selection = args.specs or specs.names()
    args.specs = options.sharded(selection, args.shard, shard.TRAIN_COSTS)
    todo = tasks(args.specs, optimizers)
    with session(args.backends, args.timeout, {b: len(todo) for b in args.backends}, args.quiet,
                 workers=args.workers) as s:
        run = train_backends(s.pool, args.specs, args.backends, optimizers, args.dtype, args.seed, args.steps,
                             on_event=s.progress, work_dir=s.work, dump=args.dump,
                             meta={"require": args.require, "selection": list(selection),
                                   "shard": "/".join(map(str, args.shard)) if args.shard else None})
    return finish(run, args, s, train_table)

