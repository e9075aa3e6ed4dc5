"""``python compare.py traps``: the catalogue of porting traps, each caught and localised (``harness.traps``)."""

from __future__ import annotations

import json
import signal

from harness.cli import options
from harness.cli.session import exit_status, interrupted_line, out, session


def parser() -> options.Parser:
    p = options.Parser(prog="compare.py traps", description="Run the catalogue of porting traps; exit 0 only if "
                       "every trap is caught and localised.")
    p.add_argument("--markdown", action="store_true", help="print the Markdown table of docs/traps.md instead")
    options.add_run_options(p, dtype=None, dtype_help="only the traps caught in this dtype (default: each trap "
                            "in its own, and in the dtype whose blind spot it documents)")
    return p


def main(argv) -> int:
    import sys

    from harness import report, traps

    args = options.finish(parser().parse_args(argv))
    trap_names = [v.name for _, v in traps.catalogue()]
    with session(args.backends, args.timeout, {}, args.quiet, trap_names, workers=args.workers) as s:
        results = traps.run_traps(s.pool, args.backends, args.seed, on_event=s.progress, dtype=args.dtype)
    missing = [] if s.interrupted else [f"required backend {b} did not run: {s.pool.workers[b].reason}"
                                        for b in args.require if not s.pool.workers[b].ever_ready]
    for t in results:
        t.reason = report.clean(t.reason)
    if args.json:
        doc = {"traps": [t.as_json() for t in results], "environment": s.pool.environment(),
               "interrupted": signal.Signals(s.interrupted).name if s.interrupted else None,
               "required_missing": missing}
        with open(args.json, "w", encoding="ascii") as f:
            json.dump(doc, f, indent=1, allow_nan=False)
            f.write("\n")
    out(traps.markdown(results) if args.markdown else traps.table(results))
    for line in missing:
        out(line)
    if s.interrupted:
        out(interrupted_line(s.interrupted), sys.stderr)
        return exit_status(s.interrupted)
    return 0 if results and all(t.ok for t in results) and not missing else 1
