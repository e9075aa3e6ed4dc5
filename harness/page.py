"""The teaching page: ``python compare.py report --html PATH [--md PATH] [SPEC ...]``.

One self-contained HTML file (inline CSS and JavaScript, nothing fetched at view time): a sidebar of
blocks and, per block, its title, d2l section and description, the NumPy reference, the realisations as
tabs and side by side, the parameter mapping, and the parity results of a fresh run with a log-scale
chart of every error against its limit. ``--md`` writes the same material as Markdown (no tabs, no chart).

The material comes from ``harness.teach`` (sources read from disk, names and shapes from the adapters).
The four panels of a block are the same four elements in both views: the tabs hide all but one, the
side-by-side view shows them all, so the page never holds a second copy of any source. Elements carry
``data-`` attributes (block, backend, quantity, verdict) so a test can read the rendered DOM.
"""

from __future__ import annotations

import html
import math
import re

import backends
from harness import checks, report
from harness.teach import (
    Block,
    before_call_lines,
    fmt_shape,
    fmt_total,
    mapping,
    notes,
    reference_heading,
    spec_path,
    totals,
    verdict,
    where,
)

COLORS = {"torch": "#e4572e", "flax": "#3b75af", "keras": "#8e44ad", "gluon": "#2a9d8f",
          "keras_jax": "#6c3483", "keras_torch": "#a569bd"}  # the Keras engines: Keras's hue
OTHER_COLORS = ("#b07d00", "#5d6d7e", "#c0392b")


def esc(s) -> str:
    return html.escape(str(s), quote=True)


def color_of(backend: str, order: list) -> str:
    return COLORS.get(backend) or OTHER_COLORS[order.index(backend) % len(OTHER_COLORS)]


def label(b: str) -> str:
    return backends.info(b).LABEL


def prose(text: str) -> str:
    """A docstring as HTML paragraphs, with ``code`` and `code` spans."""
    def para(p):
        return re.sub(r"``(.+?)``|`([^`]+)`", lambda m: f"<code>{m.group(1) or m.group(2)}</code>", esc(p))
    return "".join(f"<p>{para(' '.join(p.split()))}</p>" for p in re.split(r"\n\s*\n", text.strip()) if p.strip())


def code_html(text: str, marks=()) -> str:
    """Highlighted Python whose text content is exactly ``text``; trap classes' lines marked."""
    from pygments import highlight
    from pygments.formatters import HtmlFormatter
    from pygments.lexers import PythonLexer

    lines = [n for first, last, _ in marks for n in range(first, last + 1)]
    return highlight(text, PythonLexer(stripnl=False, ensurenl=False), HtmlFormatter(nowrap=True, hl_lines=lines))


def pygments_css() -> str:
    from pygments.formatters import HtmlFormatter

    return HtmlFormatter(style="default").get_style_defs(".code")


def badge(kind: str, text: str, **data) -> str:
    attrs = "".join(f' data-{k}="{esc(v)}"' for k, v in data.items())
    return f'<span class="badge {esc(kind)}"{attrs}>{esc(text)}</span>'


def block_status(block: Block) -> str:
    statuses = {r.status for r in block.results.values()}
    return "fail" if statuses & {"fail", "error"} else "pass" if "pass" in statuses else "skipped"


# --- HTML pieces ------------------------------------------------------------------------------------------
def realisations_html(block: Block) -> str:
    tabs = "".join(f'<button class="tab" data-view="{esc(s.backend)}">{esc(s.label)}</button>' for s in block.sources)
    tabs += '<button class="tab active" data-view="side">Side by side</button>'
    panels = []
    for s in block.sources:
        traps = "".join(f'<p class="trap">Marked: class <code>{esc(v.model)}</code>, the variant '
                        f'<a href="#block-{esc(v.name)}">{esc(v.name)}</a> — a deliberate mistake the harness '
                        f'must catch.</p>' for _, _, v in s.marks)
        body = (f'<pre class="code"><code class="source" data-block="{esc(block.name)}" '
                f'data-backend="{esc(s.backend)}" data-path="{esc(s.path)}">{code_html(s.text, s.marks)}</code></pre>'
                if s.text is not None else f'<p class="{"same" if s.same_as else "missing"}" '
                f'data-backend="{esc(s.backend)}">{esc(s.missing)}</p>')
        panels.append(f'<figure class="panel" data-backend="{esc(s.backend)}"><figcaption><b>{esc(s.label)}</b> '
                      f'<code>{esc(s.path)}</code></figcaption>{traps}{body}</figure>')
    return (f'<div class="realisations view-side" data-block="{esc(block.name)}"><div class="tabs" role="tablist">'
            f'{tabs}</div><div class="panels">{"".join(panels)}</div></div>')


def mapping_html(block: Block, order: list) -> str:
    rows = mapping(block)
    head = "".join(f"<th>{esc(label(b))}</th>" for b in order)
    body = []
    for r in rows:
        cells = []
        for b in order:
            if b not in r.native:
                cells.append(f'<td data-backend="{esc(b)}">—</td>')
                continue
            native, shape = r.native[b]
            moved = ' class="moved" title="another layout than the canonical one"' if shape != r.shape else ""
            cells.append(f'<td data-backend="{esc(b)}" data-canonical="{esc(r.canonical)}" data-native="{esc(native)}"'
                         f'{moved}><code>{esc(native)}</code> {esc(fmt_shape(shape))}</td>')
        kind = f' <span class="pill">{r.kind}</span>' if r.kind != "parameter" else ""
        body.append(f"<tr><th><code>{esc(r.canonical)}</code> {esc(fmt_shape(r.shape))}{kind}</th>"
                    f"{''.join(cells)}</tr>")
    for kind in ("parameter", "constant", "state buffer"):
        if any(r.kind == kind for r in rows):
            body.append(f'<tr class="total"><th>{kind}s: {esc(fmt_total(totals(rows, None, kind)))}</th>'
                        + "".join(f"<td>{esc(fmt_total(totals(rows, b, kind)))}</td>" for b in order) + "</tr>")
    return (f'<table class="mapping"><thead><tr><th>canonical (PyTorch names and layouts)</th>{head}</tr></thead>'
            f'<tbody>{"".join(body)}</tbody></table>'
            '<p class="hint">Shaded: the native shape differs from the canonical one, and the adapter transposes '
            'or permutes the values both ways (a square kernel, e.g. (20, 20), is transposed as well: its shape '
            'cannot show it). Counts: values in tensors.</p>' + before_call_html(block, order))


def before_call_html(block: Block, order: list) -> str:
    """``show``'s lines on which parameter shapes are known before the first call (d2l §6.4), as a list."""
    lines = before_call_lines(block, order)
    if not lines:
        return ""
    named = {label(b): b for b in order}
    items = []
    for line in lines[1:]:
        name, _, said = line.strip().partition(": ")
        items.append(f'<li data-backend="{esc(named.get(name, ""))}"><b>{esc(name)}</b>: {esc(said)}</li>')
    return f'<p class="before-call">{esc(lines[0])}</p><ul class="before-call">{"".join(items)}</ul>'


def results_html(block: Block, run, order: list) -> str:
    fd_tol = checks.fd_limit(block.spec.tolerance[run.dtype], run.dtype)
    rows = []
    for b in order:
        r = block.results.get(b)
        if r is None:
            continue
        tol = r.tolerance
        if not r.checks:
            rows.append(f'<tr data-backend="{esc(b)}" data-status="{esc(r.status)}"><th>{esc(label(b))}</th>'
                        f'<td colspan="6"></td><td>{badge(r.status, verdict(r))}</td>'
                        f'<td class="note">{esc(r.reason)}</td></tr>')
            continue
        for c in r.checks:
            v = "pass" if c.passed else "fail"
            fd = report.fmt_err(c.fd_rel_err) if c.fd_rel_err is not None else ""
            rows.append(
                f'<tr data-backend="{esc(b)}" data-quantity="{esc(c.quantity)}" data-verdict="{v}">'
                f"<th>{esc(label(b))}</th><td><code>{esc(c.quantity)}</code></td>"
                f'<td class="num abs">{report.fmt_err(c.max_abs_err)}</td>'
                f'<td class="num rel">{report.fmt_err(c.max_rel_err)}</td><td class="num">{tol:.0e}</td>'
                f'<td class="num fd">{fd}</td><td class="num">{f"{fd_tol:.0e}" if fd else ""}</td>'
                f'<td>{badge(v, "✓ pass" if c.passed else "✗ fail")}</td><td class="note">{esc(c.note)}</td></tr>')
    return ('<table class="results"><thead><tr><th>framework</th><th>quantity</th><th>max abs err</th>'
            '<th>max rel err</th><th>limit</th><th>directional err</th><th>limit</th><th>verdict</th>'
            f'<th>note</th></tr></thead><tbody>{"".join(rows)}</tbody></table>')


def chart_svg(block: Block, run, order: list) -> str:
    """Every check's relative error (dots) and directional error (diamonds) against the limits, log scale."""
    results = [(b, block.results[b]) for b in order if b in block.results and block.results[b].checks]
    quantities = list(dict.fromkeys(c.quantity for _, r in results for c in r.checks))
    if not quantities:
        return ""
    tol = block.spec.tolerance[run.dtype]
    fd_tol = checks.fd_limit(tol, run.dtype)
    errs = [e for _, r in results for c in r.checks for e in (c.max_rel_err, c.fd_rel_err) if e]
    errs += [r.tolerance for _, r in results]
    lo = math.floor(math.log10(min(errs + [tol]))) - 1
    hi = max(math.ceil(math.log10(max(errs + [fd_tol]))), math.ceil(math.log10(fd_tol)) + 1)
    left, top, plot_h, group = 54, 22, max(150, 14 * (hi - lo)), max(56, 14 * len(results) + 22)
    width, bottom = left + group * len(quantities) + 150, 96

    def y(e):
        if e is None:  # absent, wrong shape or not finite: the lane above the plot
            return top - 12
        if e == 0:  # exact: the lane below it
            return top + plot_h + 12
        return top + (hi - math.log10(e)) / (hi - lo) * plot_h

    parts = [f'<svg class="chart" xmlns="http://www.w3.org/2000/svg" width="{width}" '
             f'height="{top + plot_h + bottom}" role="img" aria-label="errors of {esc(block.name)} on a log scale">']
    step = max(1, math.ceil((hi - lo) / 6))
    for k in range(lo, hi + 1, step):
        parts.append(f'<line class="grid" x1="{left}" x2="{left + group * len(quantities)}" y1="{y(10.0**k):.1f}" '
                     f'y2="{y(10.0**k):.1f}"/><text class="axis" x="{left - 6}" y="{y(10.0**k) + 4:.1f}" '
                     f'text-anchor="end">1e{k}</text>')
    parts.append(f'<text class="axis" x="{left - 6}" y="{top - 8}" text-anchor="end">n/a</text>'
                 f'<text class="axis" transform="translate(12,{top + plot_h / 2:.0f}) rotate(-90)" '
                 f'text-anchor="middle">error</text>'
                 f'<text class="axis" x="{left - 6}" y="{top + plot_h + 16}" text-anchor="end">0</text>')
    lines = [(tol, "tol", f"tolerance {tol:.0e}"), (fd_tol, "fdtol", f"directional {fd_tol:.0e}")]
    lines += [(t, "limit", f"{label(b)} limit {t:.0e}") for b, r in results if (t := r.tolerance) != tol]
    for value, cls, text in lines:
        parts.append(f'<line class="{cls}" x1="{left}" x2="{left + group * len(quantities) + 6}" y1="{y(value):.1f}" '
                     f'y2="{y(value):.1f}"/><text class="{cls}" x="{left + group * len(quantities) + 10}" '
                     f'y="{y(value) + 4:.1f}">{text}</text>')
    for i, q in enumerate(quantities):
        x0 = left + i * group + 11
        cx = x0 + group / 2 - 11
        parts.append(f'<text class="axis" transform="translate({cx:.1f},{top + plot_h + 28}) rotate(-35)" '
                     f'text-anchor="end">{esc(q)}</text>')
        for j, (b, r) in enumerate(results):
            c = next((c for c in r.checks if c.quantity == q), None)
            if c is None:
                continue
            x, col = x0 + j * 14 + 4, color_of(b, order)
            tip = f"{label(b)} {q}: rel {report.fmt_err(c.max_rel_err)}"
            if not c.passed:
                parts.append(f'<circle class="failed" cx="{x}" cy="{y(c.max_rel_err):.1f}" r="7"/>')
            parts.append(f'<circle cx="{x}" cy="{y(c.max_rel_err):.1f}" r="4" fill="{col}"><title>{esc(tip)}'
                         f"</title></circle>")
            if c.fd_rel_err is not None:
                yy = y(c.fd_rel_err)
                parts.append(f'<path d="M{x} {yy - 5:.1f}L{x + 5} {yy:.1f}L{x} {yy + 5:.1f}L{x - 5} {yy:.1f}Z" '
                             f'fill="white" stroke="{col}" stroke-width="1.5"><title>{esc(label(b))} {esc(q)}: '
                             f'directional {report.fmt_err(c.fd_rel_err)}</title></path>')
    parts.append("</svg>")
    legend = "".join(f'<span><i style="background:{color_of(b, order)}"></i>{esc(label(b))}</span>'
                     for b, _ in results)
    return (f'<figure class="chart">{"".join(parts)}<figcaption>{legend} <span>● relative error against the '
            'median (gradients) or the reference (outputs); ◇ directional derivative against the reference\'s '
            'central difference; a red ring marks a failing check; n/a: absent, wrong shape or NaN/Inf.</span>'
            '</figcaption></figure>')


def notes_html(block: Block) -> str:
    items = "".join(f"<li>{esc(n)}</li>" for n in notes(block))
    return f'<ul class="notes">{items}</ul>' if items else ""


def block_html(block: Block, run, order: list) -> str:
    spec = block.spec
    status = "".join(badge(r.status, f"{label(b)} {verdict(r)}", backend=b, status=r.status)
                     for b in order if (r := block.results.get(b)))
    variant = (f'<div class="variant"><b>Variant of <a href="#block-{esc(spec.name)}">{esc(spec.name)}</a>, a '
               f"deliberate mistake</b> (class <code>{esc(block.variant.model or spec.model)}</code>"
               + (f", adapter fault <code>{esc(block.variant.fault)}</code>" if block.variant.fault else "")
               + f"): {prose(block.variant.why)}</div>" if block.variant else "")
    model = (block.variant and block.variant.model) or spec.model
    return f"""<section class="block" id="block-{esc(block.name)}" data-block="{esc(block.name)}">
<h2>{esc(block.name)} <small>{esc(spec.title)}</small></h2>
<p class="meta">{esc(where(spec))} · <code>{esc(spec_path(spec))}</code> · class <code>{esc(model)}</code></p>
{variant}<div class="doc">{prose(spec.doc)}</div>
<h3>{esc(reference_heading(spec))} <code>{esc(block.reference_path)}</code></h3>
<pre class="code reference"><code>{code_html(block.reference)}</code></pre>
<h3>The realisations</h3>
{realisations_html(block)}
<h3>Parameters: canonical ↔ each framework's own</h3>
{mapping_html(block, order)}
<h3>Parity: {esc(run.dtype)}, seed {run.seed}</h3>
<p class="status">{status}</p>
{notes_html(block)}{chart_svg(block, run, order)}
{results_html(block, run, order)}
<p class="hint">Tolerance {spec.tolerance[run.dtype]:.0e}: {esc(spec.tolerance_why)}
Reproduce: <code>python compare.py {esc(block.name)} --dtype {esc(run.dtype)} --seed {run.seed}{
    esc(report.blocks_option(block.name))}</code></p>
</section>"""


def overview_html(bl: list, run, order: list) -> str:
    head = "".join(f"<th>{esc(label(b))}</th>" for b in order)
    rows = "".join(
        f'<tr><th><a href="#block-{esc(k.name)}">{esc(k.name)}</a></th>'
        + "".join(f"<td>{badge(r.status, verdict(r), block=k.name, backend=b)}</td>" if (r := k.results.get(b))
                  else "<td></td>" for b in order) + "</tr>" for k in bl)
    return (f'<section id="overview"><h2>Overview</h2><p class="meta">{esc(run.dtype)}, seed {run.seed} — '
            f'{esc(report.versions_line(run))}</p><p>{esc(report.summary(run))}</p>'
            f'<table class="overview"><thead><tr><th>block</th>{head}</tr></thead><tbody>{rows}</tbody></table>'
            "<p class=\"hint\">Each cell: the worst relative error of any check of that block in that framework. "
            "Outputs are compared with the spec's float64 NumPy reference; gradients with the median of the "
            "frameworks and, along random directions, with the reference's own central differences."
            + "".join(f" {esc(k.name)}: reference: {esc(k.spec.reference_label)}." for k in bl
                      if k.spec.reference_backend) + "</p></section>")


CSS = """
*{box-sizing:border-box} body{margin:0;font:14px/1.45 system-ui,sans-serif;color:#1d2330;background:#fafafa}
nav{position:fixed;top:0;bottom:0;left:0;width:230px;overflow:auto;background:#1d2330;color:#dfe3ea;padding:14px}
nav h1{font-size:17px;margin:0 0 4px} nav p{margin:0 0 12px;color:#9aa3b2;font-size:12px}
nav a{display:block;color:#dfe3ea;text-decoration:none;padding:3px 6px;border-radius:4px;font-size:13px}
nav a:hover{background:#2e3648} nav small{color:#9aa3b2;float:right}
main{margin-left:230px;padding:18px 28px;max-width:1900px}
section{background:#fff;border:1px solid #e1e4ea;border-radius:8px;padding:6px 22px 16px;margin-bottom:26px}
h2 small{font-weight:normal;color:#4d5566;font-size:15px;margin-left:8px} h3{margin:20px 0 8px;font-size:15px}
.meta,.hint{color:#5d6577;font-size:12.5px} .doc p{max-width:900px;margin:6px 0}
code{font:12.5px/1.4 ui-monospace,Menlo,Consolas,monospace}
pre.code{background:#f6f8fa;border:1px solid #e1e4ea;border-radius:6px;padding:8px 10px;overflow:auto;margin:0}
.tabs{display:flex;gap:4px;margin-bottom:-1px}
.tab{border:1px solid #d5d9e0;background:#eef0f4;padding:5px 12px;border-radius:6px 6px 0 0;cursor:pointer;font:inherit}
.tab.active{background:#fff;border-bottom-color:#fff;font-weight:600}
.panels{border:1px solid #d5d9e0;padding:10px;border-radius:0 6px 6px 6px;background:#fff}
.view-side .panels{display:grid;grid-template-columns:repeat(auto-fit,minmax(460px,1fr));gap:10px}
.view-tab .panel{display:none} .view-tab .panel.active{display:block}
figure{margin:0} figcaption{font-size:12.5px;margin:0 0 4px}
.code .hll{background:#fde2e1;display:block} .trap{font-size:12px;color:#9b2c2c;margin:0 0 4px}
.missing{color:#9b2c2c;font-style:italic}.same{color:#555;font-style:italic}
table{border-collapse:collapse;font-size:12.5px;margin:4px 0}
th,td{border:1px solid #e1e4ea;padding:3px 8px;text-align:left;vertical-align:top} thead th{background:#f1f3f6}
td.num{text-align:right;font-family:ui-monospace,monospace}
td.moved{background:#fff6da} tr.total th,tr.total td{background:#f7f8fa} .note{color:#5d6577;max-width:480px}
.badge{display:inline-block;padding:1px 8px;border-radius:10px;font-size:12px;margin:0 4px 2px 0;white-space:nowrap}
.badge.pass{background:#dcf5e3;color:#17663a} .badge.fail,.badge.error{background:#fde2e1;color:#9b2c2c}
.badge.skipped{background:#fdf3d7;color:#7a5b00}
.pill{font-size:11px;background:#eef0f4;border-radius:8px;padding:0 6px}
.variant{background:#fff4f4;border-left:4px solid #d9534f;padding:4px 12px;margin:8px 0}
svg.chart{display:block;margin:6px 0;font:11px system-ui,sans-serif} .chart .grid{stroke:#eceef2}
.chart .axis{fill:#5d6577} .chart line.tol{stroke:#333;stroke-dasharray:5 3} .chart text.tol{fill:#333}
.chart line.fdtol{stroke:#888;stroke-dasharray:1 3} .chart text.fdtol{fill:#777}
.chart line.limit{stroke:#b07d00;stroke-dasharray:5 3} .chart text.limit{fill:#b07d00} ul.notes{font-size:12.5px}
.chart .failed{fill:none;stroke:#d9534f;stroke-width:2} figure.chart figcaption{color:#5d6577;font-size:12px}
figure.chart i{display:inline-block;width:10px;height:10px;border-radius:5px;margin:0 4px 0 10px}
"""

SCRIPT = """
function showView(box, view) {
  box.classList.toggle('view-side', view === 'side');
  box.classList.toggle('view-tab', view !== 'side');
  box.querySelectorAll('.tab').forEach(t => t.classList.toggle('active', t.dataset.view === view));
  box.querySelectorAll('.panel').forEach(p => p.classList.toggle('active', p.dataset.backend === view));
}
document.querySelectorAll('.realisations').forEach(box =>
  box.querySelectorAll('.tab').forEach(t => t.addEventListener('click', () => showView(box, t.dataset.view))));
function viewFromHash() {  // page.html#view=flax opens every block on its Flax tab
  const m = location.hash.match(/^#view=([\\w-]+)$/);
  if (m) document.querySelectorAll('.realisations').forEach(box => showView(box, m[1]));
}
window.addEventListener('hashchange', viewFromHash);
viewFromHash();
document.body.dataset.ready = '1';
"""


def render_html(run, bl: list) -> str:
    order = run.backends
    nav = "".join(f'<a href="#block-{esc(k.name)}" data-block="{esc(k.name)}">'
                  f'{report.MARK.get(block_status(k), "")} {esc(k.name)} <small>{esc(k.spec.section.split()[0])}'
                  "</small></a>" for k in bl)
    body = "\n".join(block_html(k, run, order) for k in bl)
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>blockparity — the realisations side by side</title>
<style>{pygments_css()}{CSS}</style></head>
<body>
<nav><h1>blockparity</h1><p>One spec, four frameworks, the same weights.</p>
<a href="#overview">Overview</a>{nav}</nav>
<main>
{overview_html(bl, run, order)}
{body}
</main>
<script>{SCRIPT}</script>
</body></html>
"""


# --- Markdown ---------------------------------------------------------------------------------------------
def fence(text: str) -> str:
    ticks = "`" * max(3, 1 + max((len(m) for m in re.findall(r"`+", text)), default=0))
    return f"{ticks}python\n{text}{'' if text.endswith(chr(10)) else chr(10)}{ticks}"


def md_cell(s) -> str:
    return str(s).replace("|", "\\|").replace("\n", " ")


def md_table(header: list, rows: list) -> list[str]:
    out = ["| " + " | ".join(map(md_cell, header)) + " |", "|" + "---|" * len(header)]
    return out + ["| " + " | ".join(map(md_cell, r)) + " |" for r in rows]


def block_md(block: Block, run, order: list) -> list[str]:
    spec = block.spec
    model = (block.variant and block.variant.model) or spec.model
    out = [f"## {block.name}", "", f"**{spec.title}** — {where(spec)} · `{spec_path(spec)}` · class `{model}`", ""]
    if block.variant:
        out += [f"> Variant of `{spec.name}`, a deliberate mistake: {block.variant.why}", ""]
    out += [spec.doc, "", f"### {reference_heading(spec)} (`{block.reference_path}`)", "",
            fence(block.reference), ""]
    for s in block.sources:
        out += [f"### {s.label} — `{s.path}`", ""]
        out += [fence(s.text) if s.text is not None else f"*{s.missing}*", ""]
        out += [f"Lines {a}–{b}: class `{v.model}`, the variant `{v.name}` (a deliberate mistake)." for a, b, v
                in s.marks] + ([""] if s.marks else [])
    rows = mapping(block)
    table = [[f"`{r.canonical}` {fmt_shape(r.shape)}" + (f" ({r.kind})" if r.kind != "parameter" else ""),
              *(f"`{r.native[b][0]}` {fmt_shape(r.native[b][1])}" if b in r.native else "—" for b in order)]
             for r in rows]
    table += [[f"{k}s: {fmt_total(totals(rows, None, k))}", *(fmt_total(totals(rows, b, k)) for b in order)]
              for k in ("parameter", "constant", "state buffer") if any(r.kind == k for r in rows)]
    out += ["### Parameters: canonical ↔ each framework's own", ""]
    out += md_table(["canonical", *(label(b) for b in order)], table) + [""]
    lazy = before_call_lines(block, order)
    out += [lazy[0], "", *(f"* {line.strip()}" for line in lazy[1:]), ""] if lazy else []
    tol = spec.tolerance[run.dtype]
    fd_tol = checks.fd_limit(tol, run.dtype)
    res = []
    for b in order:
        r = block.results.get(b)
        limit = f"{r.tolerance:.0e}" if r is not None and r.tolerance else ""
        if r is not None and not r.checks:
            res.append([label(b), "", "", "", "", "", "", verdict(r), r.reason])
        for c in r.checks if r is not None else ():
            fd = report.fmt_err(c.fd_rel_err) if c.fd_rel_err is not None else ""
            res.append([label(b), f"`{c.quantity}`", report.fmt_err(c.max_abs_err), report.fmt_err(c.max_rel_err),
                        limit, fd, f"{fd_tol:.0e}" if fd else "", "✓ pass" if c.passed else "✗ fail", c.note])
    out += [f"### Parity: {run.dtype}, seed {run.seed}", ""] + [f"* {n}" for n in notes(block)]
    out += [""] if notes(block) else []
    out += md_table(["framework", "quantity", "max abs err", "max rel err", "limit", "directional err", "limit",
                     "verdict", "note"], res)
    out += ["", f"Tolerance {tol:.0e}: {spec.tolerance_why} Reproduce: "
            f"`python compare.py {block.name} --dtype {run.dtype} --seed {run.seed}{report.blocks_option(block.name)}`",
            ""]
    return out


def render_md(run, bl: list) -> str:
    order = run.backends
    out = ["# blockparity — the realisations side by side", "",
           f"{run.dtype}, seed {run.seed} — {report.versions_line(run)}", "", report.summary(run), ""]
    out += md_table(["block", *(label(b) for b in order)],
                    [[f"[{k.name}](#{k.name})", *(verdict(k.results[b]) if b in k.results else "" for b in order)]
                     for k in bl]) + [""]
    for k in bl:
        out += block_md(k, run, order)
    return "\n".join(out)
