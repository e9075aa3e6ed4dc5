"""The command line: ``python compare.py [SPEC ...] [options]`` and its subcommands (``list``, ``train``,
``traps``, ``show``, ``report``, ``bench``).

Exit status: 0 when everything compared passes (or is skipped), 1 when anything fails or errors, 2 for
bad input (an unknown spec, backend or option), with a one-line message naming the valid choices.
"""

from __future__ import annotations

import argparse
import sys
import tempfile

import backends
import specs
from harness import report
from harness.spec import DTYPES


class UsageError(Exception):
    pass


class Parser(argparse.ArgumentParser):
    def error(self, message):  # one line, exit 2, instead of argparse's usage dump
        raise UsageError(f"{self.prog}: {message}")


def choices_error(kind: str, bad, valid) -> UsageError:
    return UsageError(f"unknown {kind} {', '.join(map(repr, bad))}. Expected one of: {', '.join(valid)}")


def parse_backends(text: str | None) -> list[str]:
    valid = backends.names()
    if not text:
        return valid
    chosen = [b.strip() for b in text.split(",") if b.strip()]
    bad = [b for b in chosen if b not in valid]
    if bad or not chosen:
        raise choices_error("backend", bad or [text], valid)
    return chosen


def check_spec_names(names, commands=()) -> None:
    """Raise a UsageError naming every unknown spec; ``commands`` when the first word may be a mistyped command."""
    valid = specs.known_names()
    bad = [n for n in names if n not in valid]
    if bad and commands and bad[0] == names[0]:
        raise choices_error("spec or command", bad, list(commands) + valid)
    if bad:
        raise choices_error("spec", bad, valid)


COMMANDS_HELP = """commands:
  list                  the blocks and their variants
  show SPEC             the four realisations side by side, with the parameter mapping
  report --html PATH    the same as a self-contained page (--md PATH for Markdown)
  traps                 the catalogue of porting traps, each caught and localised
  train                 N steps of each framework's own optimizer, checked step by step
  bench                 time the whole run against its workers (see README)
Each command has its own --help."""


def compare_parser() -> Parser:
    p = Parser(prog="compare.py", description="Realise blocks in four frameworks with the same weights and "
               "check that outputs and gradients agree.", epilog=COMMANDS_HELP,
               formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("specs", nargs="*", metavar="SPEC", help="blocks or variants to run (default: every block)")
    p.add_argument("--backends", help=f"comma-separated subset of {','.join(backends.names())}")
    p.add_argument("--dtype", default="float32", choices=DTYPES)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--json", metavar="PATH", help="write the results as JSON")
    p.add_argument("--dump", metavar="DIR", help="write inputs, parameters and every backend's arrays as .npz")
    p.add_argument("--timeout", type=float, default=120.0, help="seconds one block may take in one backend")
    p.add_argument("--taps", action="store_true", help="also check every tap (intermediate point) against "
                   "the reference, not only to localise a failure")
    p.add_argument("--no-color", action="store_true")
    p.add_argument("--quiet", action="store_true", help="no progress display")
    return p


def cmd_compare(argv) -> int:
    from harness.pool import Pool
    from harness.progress import Progress
    from harness.run import compare_backends, resolve_names

    args = compare_parser().parse_args(argv)
    check_spec_names(args.specs, commands=COMMANDS)
    chosen = parse_backends(args.backends)
    todo = resolve_names(args.specs)
    requests = sum(len(spec.modes) for _, spec, _ in todo)  # one per mode
    progress = Progress(chosen, {b: requests for b in chosen}, enabled=not args.quiet)
    with tempfile.TemporaryDirectory(prefix="blockparity-") as work, Pool(chosen, work, timeout=args.timeout) as pool:
        run = compare_backends(pool, args.specs, chosen, args.dtype, args.seed, dump=args.dump,
                               on_event=progress, work_dir=work, taps=args.taps)
    progress.clear()
    print(report.table(run, color=report.use_color(no_color=args.no_color)))
    if args.json:
        report.write_json(run, args.json)
    return 0 if run.ok() else 1


def cmd_list(argv) -> int:
    Parser(prog="compare.py list", description="List the blocks and their variants.").parse_args(argv)
    all_specs = specs.all_specs()
    width = max(len(n) for n in specs.known_names()) + 4
    section = max(len(s) for spec in all_specs for s in (spec.section, "variant of " + spec.name)) + 2
    for spec in all_specs:
        print(f"{spec.name:<{width}}{spec.section:<{section}}{spec.title}")
        for v in spec.variants:
            print(f"  {v.name:<{width - 2}}{'variant of ' + spec.name:<{section}}{v.why.split('. ')[0]}.")
    print(f"\n{len(all_specs)} blocks, {sum(len(s.variants) for s in all_specs)} variants; "
          f"backends: {', '.join(backends.names())}")
    return 0


def train_parser() -> Parser:
    from harness import optim

    p = Parser(prog="compare.py train", description="Run N steps of each framework's own optimizer from the same "
               "weights and batch; check every step's loss, gradients, parameters, running statistics and "
               "optimizer state against float64 references of the documented update rules.")
    p.add_argument("specs", nargs="*", metavar="SPEC", help="blocks, variants or training traps (default: every block)")
    p.add_argument("--optimizer", choices=list(optim.OPTIMIZERS), help="default: each of them in turn")
    p.add_argument("--steps", type=int, default=optim.STEPS)
    p.add_argument("--backends", help=f"comma-separated subset of {','.join(backends.names())}")
    p.add_argument("--dtype", default="float32", choices=DTYPES)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--json", metavar="PATH", help="write the results as JSON")
    p.add_argument("--timeout", type=float, default=120.0, help="seconds one block may take in one backend")
    p.add_argument("--no-color", action="store_true")
    p.add_argument("--quiet", action="store_true", help="no progress display")
    return p


def cmd_train(argv) -> int:
    from harness import optim
    from harness.pool import Pool
    from harness.progress import Progress
    from harness.train import tasks, train_backends

    args = train_parser().parse_args(argv)
    bad = [n for n in args.specs if n not in specs.known_names() and not optim.trap(n)]
    if bad:
        raise choices_error("spec", bad, specs.known_names() + [t.name for t in optim.TRAPS])
    if args.steps < 1:
        raise UsageError(f"compare.py train: --steps must be at least 1, not {args.steps}")
    chosen = parse_backends(args.backends)
    optimizers = [args.optimizer] if args.optimizer else list(optim.OPTIMIZERS)
    todo = tasks(args.specs, optimizers)
    progress = Progress(chosen, {b: len(todo) for b in chosen}, enabled=not args.quiet)
    with tempfile.TemporaryDirectory(prefix="blockparity-") as work, Pool(chosen, work, timeout=args.timeout) as pool:
        run = train_backends(pool, args.specs, chosen, optimizers, args.dtype, args.seed, args.steps,
                             on_event=progress, work_dir=work)
    progress.clear()
    print(report.train_table(run, color=report.use_color(no_color=args.no_color)))
    if args.json:
        report.write_json(run, args.json)
    return 0 if run.ok() else 1


def cmd_bench(argv) -> int:
    from harness import bench

    return bench.main(argv)


def cmd_traps(argv) -> int:
    from harness import traps

    return traps.main(argv)


def cmd_show(argv) -> int:
    from harness import teach

    return teach.main(argv)


def cmd_report(argv) -> int:
    from harness import page

    return page.main(argv)


COMMANDS = {"list": cmd_list, "bench": cmd_bench, "traps": cmd_traps, "show": cmd_show, "report": cmd_report,
            "train": cmd_train}


def main(argv=None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    try:
        if argv and argv[0] in COMMANDS:
            return COMMANDS[argv[0]](argv[1:])
        return cmd_compare(argv)
    except UsageError as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
