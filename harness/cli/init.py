"""``python compare.py init``: each framework's default initialisers, measured, and the blocks that
declare their own initialisation (d2l §6.3) held to it, without copying weights (``harness.init``)."""

from __future__ import annotations

import json
import signal

from harness.cli import options
from harness.cli.session import exit_status, interrupted_line, out, session


def parser() -> options.Parser:
    p = options.Parser(prog="compare.py init", description="Measure each framework's default initialisers and "
                       "check every block that declares an initialiser (Param.initialised) against its "
                       "distribution, the realisation initialising itself.")
    options.add_specs(p, help="blocks or variants to check (default: every block that declares an initialiser)")
    p.add_argument("--no-defaults", action="store_true", help="skip measuring the default initialisers")
    options.add_run_options(p, dtype=None, dtype_help="the dtype of the realisations (default: both)")
    return p


def table(run) -> str:
    rows = [("block", "backend", "dtype", "verdict", "worst statistic / threshold")]
    for r in run.results:
        worst = max((c.max_rel_err for c in r.checks if c.max_rel_err is not None and c.note.find("KS") >= 0),
                    default=None)
        verdict = {"pass": "✓ pass", "fail": "✗ FAIL"}.get(r.status, f"{r.status}: {r.reason}"[:70])
        rows.append((r.spec, r.backend, run.dtype, verdict, "—" if worst is None else f"{worst:.2f}"))
    widths = [max(len(x[i]) for x in rows) + 2 for i in range(len(rows[0]))]
    lines = ["".join(c.ljust(w) for c, w in zip(x, widths)).rstrip() for x in rows]
    for r in run.results:
        for c in r.checks:
            if not c.passed:
                lines.append(f"  {r.spec}[{r.backend}] {c.quantity} — {c.note}")
                lines.append(f"      reproduce: python compare.py init {r.spec} --backends {r.backend} "
                             f"--dtype {run.dtype} --seed {run.seed}")
    return "\n".join(lines)


def main(argv) -> int:
    import sys

    from harness import init, report

    p = parser()
    args = p.parse_args(argv)
    options.check_spec_names(args.specs)
    options.finish(args)
    dtypes = [args.dtype] if args.dtype else ["float32", "float64"]
    runs, rows = [], []
    with session(args.backends, args.timeout, {}, args.quiet, workers=args.workers) as s:
        if not args.no_defaults:
            rows = init.measure_defaults(s.pool, args.backends, "float32", args.seed, on_event=s.progress,
                                         work=s.work)
        for d in dtypes:
            if s.interrupted:
                break
            runs.append(init.init_backends(s.pool, args.specs, args.backends, d, args.seed, on_event=s.progress,
                                           work=s.work))
    for run in runs:
        for r in run.results:
            r.reason = report.clean(r.reason)
    if args.json:
        with open(args.json, "w", encoding="ascii") as f:
            json.dump({"defaults": [{"layer": k, "parameter": p_, "backends": by} for k, p_, by in rows],
                       "runs": [run.as_json() for run in runs],
                       "interrupted": signal.Signals(s.interrupted).name if s.interrupted else None}, f, indent=1)
            f.write("\n")
    if rows:
        out(init.defaults_table(rows, args.backends) + "\n")
    out(f"init:<param> — KS threshold sqrt(n)·D <= {init.KS_LIMIT:g} (false alarm <= {init.FALSE_ALARM:.0e} "
        f"per check), support bounds, constants exactly; docs/init.md\n")
    for run in runs:
        out(table(run) + "\n")
    if s.interrupted:
        out(interrupted_line(s.interrupted), sys.stderr)
        return exit_status(s.interrupted)
    ok = all(r.status in ("pass", "skipped") for run in runs for r in run.results)
    out("OK" if ok else "FAILED")
    return 0 if ok else 1
