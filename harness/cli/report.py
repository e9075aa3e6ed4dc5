"""``python compare.py report --html PATH [--md PATH] [SPEC ...]``: the teaching page (``harness.page``)."""

from __future__ import annotations

import pathlib

from harness.cli import options
from harness.cli.session import finish, out


def parser() -> options.Parser:
    p = options.Parser(prog="compare.py report", description="Write the teaching page: every block's reference, "
                       "realisations, parameter mapping and parity results, as one self-contained HTML file or "
                       "Markdown.")
    options.add_specs(p, help="blocks or variants (default: every block)")
    p.add_argument("--html", metavar="PATH", action=options.checked(options.output_file(".html", ".htm")),
                   help="write the page as one self-contained HTML file (PATH ends in .html or .htm)")
    p.add_argument("--md", metavar="PATH", action=options.checked(options.output_file(".md")),
                   help="write the same content as Markdown (PATH ends in .md)")
    options.add_run_options(p)
    return p


def main(argv) -> int:
    import specs
    from harness import page
    from harness.cli.show import execute
    from harness.teach import blocks

    args = parser().parse_args(argv)
    if not (args.html or args.md):
        raise options.UsageError("compare.py report: nothing to write. Expected --html PATH, --md PATH or both")
    paths = [x for x in (args.html, args.md, args.json) if x]
    if len({str(pathlib.Path(x).resolve()) for x in paths}) < len(paths):
        raise options.UsageError(f"compare.py report: the same path given twice in {', '.join(paths)}. "
                                 "Expected one path per output")
    options.check_spec_names(args.specs)
    options.finish(args)
    run, s = execute(args, args.specs or specs.names())
    status = finish(run, args, s)
    if s.interrupted or not run.results:
        return status
    bl = blocks(run)
    for path, render in ((args.html, page.render_html), (args.md, page.render_md)):
        if path:
            pathlib.Path(path).write_text(render(run, bl), encoding="utf-8")
            out(f"wrote {path} ({len(bl)} blocks): open file://{pathlib.Path(path).resolve()}")
    return status
