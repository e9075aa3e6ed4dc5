"""``python compare.py bench``: the whole run's wall time against the frameworks' own start-up (``harness.bench``)."""

from __future__ import annotations

from harness.cli import options
from harness.spec import DTYPES


def parser() -> options.Parser:
    from harness import bench

    p = options.Parser(prog="compare.py bench", description=bench.__doc__.splitlines()[0])
    options.add_specs(p)
    p.add_argument("--repeat", default=5, metavar="N", action=options.checked(options.integer(1, 100)),
                   help="timed runs after one warm-up run (1 to 100; default 5)")
    p.add_argument("--dtype", default="float32", choices=DTYPES, help="the dtype of every run (default: float32)")
    p.add_argument("--backends", metavar="LIST", help="the backends of each run, as compare.py takes them (default: "
                   "compare.py's); the floor is their start-up programs")
    p.add_argument("--workers", default=None, action=options.checked(options.integer(1, 64)), metavar="N",
                   help="worker processes per backend in each run (default: compare.py's)")
    return p


def main(argv) -> int:
    from harness import bench

    args = parser().parse_args(argv)
    options.check_spec_names(args.specs)
    chosen = options.parse_backends(args.backends)
    return bench.run(args.specs, args.repeat, args.dtype, args.workers, chosen if args.backends else None)
