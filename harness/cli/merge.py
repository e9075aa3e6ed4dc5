"""``python compare.py merge PATH...``: one report from the ``--dump`` folders of runs made apart
(``harness.merge``)."""

from __future__ import annotations

import pathlib

from harness.cli import options
from harness.cli.session import out


def parser() -> options.Parser:
    p = options.Parser(prog="compare.py merge", description="Judge together the --dump folders of runs made apart "
                       "(of compare.py or compare.py train; one framework or one --shard each, on other "
                       "machines): the report one run of them all would have given, recomputed from their arrays, "
                       "without any framework.")
    p.add_argument("paths", nargs="+", metavar="PATH", help="the runs' --dump folders (their .json reports may be "
                   "given too: each is checked to belong to one of the dumps)")
    p.add_argument("--json", metavar="PATH", action=options.checked(options.output_file(".json")),
                   help="write the merged results as JSON (PATH ends in .json; written before the table)")
    p.add_argument("--html", metavar="PATH", action=options.checked(options.output_file(".html", ".htm")),
                   help="write the teaching page of the merged results (PATH ends in .html or .htm)")
    p.add_argument("--verbose", action="store_true", help="print each error's details (its traceback)")
    p.add_argument("--no-color", action="store_true", help="no colour, even on a terminal (also: NO_COLOR=1)")
    p.add_argument("--quiet", action="store_true", help="accepted for symmetry with the other commands")
    return p


def main(argv) -> int:
    from harness import report
    from harness.merge import MergeError, merge_parts, read

    args = parser().parse_args(argv)
    try:
        parts = read(args.paths)
        if args.html and any(p.manifest.get("command") == "train" for p in parts):
            raise MergeError("--html: the teaching page shows comparisons, and these are training runs. Expected "
                             "--json, or the dumps of compare.py runs")
        run = merge_parts(parts)
    except MergeError as e:
        raise options.UsageError(f"compare.py merge: {e}") from None
    report.sanitize(run)
    run.verbose = args.verbose
    parts = ", ".join(f"{m['dump']} ({'shard ' + m['shard'] + ', ' if m['shard'] else ''}{', '.join(m['backends'])})"
                      for m in run.merged)
    if args.json:
        doc = report.document(run)
        doc["merged"] = run.merged
        report.write_json(doc, args.json)
    training = getattr(run, "steps", None) is not None  # the dumps of compare.py train
    out(f"merged {len(run.merged)} run{'s' if len(run.merged) != 1 else ''}: {parts}\n")
    out((report.train_table if training else report.table)(run, report.use_color(no_color=args.no_color)))
    if args.html and run.results and not training:
        from harness import page
        from harness.teach import blocks

        bl = blocks(run)
        pathlib.Path(args.html).write_text(page.render_html(run, bl), encoding="utf-8")
        out(f"wrote {args.html} ({len(bl)} blocks): open file://{pathlib.Path(args.html).resolve()}")
    return 0 if report.verdict(run) == "OK" else 1
