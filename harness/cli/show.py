"""``python compare.py show SPEC``: one block's realisations side by side (``harness.teach``)."""

from __future__ import annotations

import shutil

from harness.cli import options
from harness.cli.session import finish, session


def parser() -> options.Parser:
    p = options.Parser(prog="compare.py show", description="One block's spec, reference and realisations side "
                       "by side, with the parameter mapping and the parity verdicts of a fresh run.")
    options.add_specs(p, help="a block or a variant (python compare.py list)", nargs=None)
    p.add_argument("--width", metavar="COLUMNS", action=options.checked(options.integer(40, 1000)),
                   help="columns to lay out for (40 to 1000; default: the terminal's width)")
    options.add_run_options(p)
    return p


def execute(args, names):
    """Run ``names`` in fresh workers as ``args`` say: (the run, its session)."""
    from harness.run import compare_backends

    with session(args.backends, args.timeout, {b: len(names) for b in args.backends}, args.quiet,
                 names, workers=args.workers) as s:
        run = compare_backends(s.pool, names, args.backends, args.dtype, args.seed, on_event=s.progress,
                               work_dir=s.work)
    return run, s


def main(argv) -> int:
    from harness import teach

    args = parser().parse_args(argv)
    options.check_spec_names([args.spec])
    options.finish(args)
    run, s = execute(args, [args.spec])
    width = args.width or shutil.get_terminal_size().columns

    def render(run, color):
        if s.interrupted or not run.results:
            from harness.report import table

            return table(run, color)
        (block,) = teach.blocks(run)
        return teach.render(block, run, width, color)

    return finish(run, args, s, render)
