"""The teaching view: ``python compare.py show SPEC``.

One block, as a d2l reader meets it: the spec's title, section and description, its float64 NumPy
reference, then the realisations side by side (columns when the terminal is wide enough, stacked
otherwise), and below them the proof: how each framework names and shapes every canonical parameter,
and the parity verdict of the same run.

The code shown is the code that runs. Each realisation is read from the file the worker imports
(``backends/<fw>/<spec module>.py``): the coordinator runs without MXNet, so it reads the files rather
than importing them, and the reference comes from ``inspect.getsource``. The parameter names and shapes
come from the adapters at run time (``Result.native_params``), never from a table kept by hand.

``harness.page`` renders the same material (``blocks``, ``mapping``) as an HTML page and as Markdown.
"""

from __future__ import annotations

import ast
import dataclasses
import inspect
import math
import pathlib
import re
import textwrap

import backends
from harness import report, userblocks
from harness.spec import Spec, Variant

ROOT = pathlib.Path(__file__).resolve().parent.parent
ANSI = re.compile(r"\x1b\[[0-9;]*m")
GAP = " │ "


@dataclasses.dataclass
class Source:
    backend: str
    label: str
    path: str  # relative to the repository root
    text: str | None  # None when the file does not exist
    missing: str = ""  # why there is no text
    same_as: str = ""  # the backend whose panel shows this very file (a Keras engine runs keras's files)
    marks: list = dataclasses.field(default_factory=list)  # [(first line, last line, variant)] of trap classes


@dataclasses.dataclass
class Block:
    name: str  # the run name: a spec or one of its variants
    spec: Spec
    variant: Variant | None
    reference: str
    reference_path: str
    sources: list  # [Source], in backend order
    results: dict  # backend -> harness.run.Result


def relative(path) -> str:
    path = pathlib.Path(path).resolve()
    return str(path.relative_to(ROOT)) if path.is_relative_to(ROOT) else str(path)


def definitions(text: str) -> dict:
    """Top-level class and function names of a source file -> (first line, last line), decorators included."""
    try:
        tree = ast.parse(text)
    except SyntaxError:
        return {}
    return {n.name: (min([n.lineno] + [d.lineno for d in n.decorator_list]), n.end_lineno)
            for n in tree.body if isinstance(n, (ast.ClassDef, ast.FunctionDef))}


def reference_heading(spec: Spec) -> str:
    """The heading over the reference's source in ``show`` and the page."""
    if spec.reference_backend:
        return f"The reference: {spec.reference_label}"
    return "The spec: a float64 NumPy reference"


def where(spec: Spec) -> str:
    """The d2l section of one of our blocks; "user block" for a user's."""
    return spec.section if spec.origin else f"d2l {spec.section}"


def spec_path(spec: Spec) -> str:
    if spec.origin:
        return relative(pathlib.Path(spec.origin) / "specs" / f"{spec.module}.py")
    return f"specs/{spec.module}.py"


def read_source(backend: str, spec: Spec, shown=()) -> Source:
    """``backend``'s realisation of ``spec``; only a note when one of ``shown`` (the backends shown before
    it) runs the same file, as the Keras engines run backends/keras/'s."""
    package = backends.realisations(backend)
    path = (userblocks.realisation_path(spec, backend) if spec.origin
            else ROOT / "backends" / package / f"{spec.module}.py")
    label = backends.info(backend).LABEL
    owner = next((b for b in shown if backends.realisations(b) == package), None)
    if owner is not None:
        return Source(backend, label, relative(path), None, f"the same file as {backends.info(owner).LABEL}, "
                      f"run by {label}", same_as=owner)
    if not path.exists():
        gap = None if spec.origin else backends.info(backend).GAPS.get(spec.module)
        why = f"not realised: {relative(path)} does not exist" + (f" ({gap})" if gap else "")
        return Source(backend, label, relative(path), None, why)
    text = path.read_text(encoding="utf-8")
    defined = definitions(text)
    marks = [(*defined[v.model], v) for v in spec.variants if v.model and v.model in defined]
    return Source(backend, label, relative(path), text, marks=marks)


def make_block(name: str, spec: Spec, variant: Variant | None, backend_names, results: dict) -> Block:
    if spec.reference_backend:  # the reference is a realisation: its source is that column's
        source = read_source(spec.reference_backend, spec)
        reference, where = source.text or "", source.path
    else:
        reference, where = inspect.getsource(spec.reference), relative(inspect.getsourcefile(spec.reference))
    return Block(name, spec, variant, reference, where,
                 [read_source(b, spec, backend_names[:i]) for i, b in enumerate(backend_names)], results)


def blocks(run) -> list[Block]:
    """One Block per name of ``run``, in run order, with that name's results."""
    import specs

    out = []
    for name in dict.fromkeys(r.spec for r in run.results):
        spec, variant = specs.resolve(name)
        results = {r.backend: r for r in run.results if r.spec == name}
        out.append(make_block(name, spec, variant, run.backends, results))
    return out


# --- the parameter mapping -------------------------------------------------------------------------------
@dataclasses.dataclass
class Mapped:
    kind: str  # "parameter" or "constant"
    canonical: str
    shape: tuple
    native: dict  # backend -> (native name, native shape), absent when the backend gave no inventory
    # backend -> [(native name, shape)] of every native tensor holding this parameter or part of it (a native
    # bias may hold bias_ih + bias_hh, flax's per-gate kernels each hold rows of one weight_ih)
    parts: dict = dataclasses.field(default_factory=dict)


def mapping(block: Block) -> list[Mapped]:
    rows = []
    inventories = {b: r.native_params for b, r in block.results.items()}
    for kind, declared in (("parameter", block.spec.params), ("constant", block.spec.constants),
                           ("state buffer", block.spec.state)):
        for name, p in declared.items():
            native, parts = {}, {}
            for b, inv in inventories.items():
                held = ([e for e in inv if e["canonical"] == name and not e.get("sources")]
                        or [e for e in inv if name in e.get("sources", ())])
                if not held:
                    continue
                parts[b] = [(e["native"], tuple(e["shape"])) for e in held]
                if len(held) == 1 and not held[0].get("sources"):
                    native[b] = parts[b][0]
                else:  # computed from several canonical parameters, or held in parts: say which
                    native[b] = (", ".join(f"{e['native']} <- {e['canonical']}" for e in held),
                                 parts[b][0][1] if len(held) == 1 else tuple(s for _, s in parts[b]))
            rows.append(Mapped(kind, name, tuple(p.shape), native, parts))
    return rows


def before_call(block: Block) -> dict:
    """backend -> (native names whose shapes were known before the first call, those known only after it),
    over the parameters (d2l §6.4, lazy initialisation; ``Adapter.shapes_before_call``); a backend whose
    inventory does not say is left out. Each native tensor once (a tied parameter's copy included)."""
    params = set(block.spec.params)
    out = {}
    for b, r in block.results.items():
        held = {e["native"]: e["known_before_call"] for e in r.native_params
                if "known_before_call" in e and (e["canonical"] in params or params & set(e.get("sources", ())))}
        if held:
            out[b] = ([n for n, k in held.items() if k], [n for n, k in held.items() if not k])
    return out


def before_call_lines(block: Block, backend_names) -> list[str]:
    """One line per framework: which parameter shapes are known before the first call; nothing when every
    framework knows them all."""
    found = before_call(block)
    if not any(after for _, after in found.values()):
        return []
    out = ["Parameter shapes known before the first call (d2l §6.4; the rest are set by it):"]
    for b in (b for b in backend_names if b in found):
        known, after = found[b]
        why = getattr(backends.info(b), "LAZY", "")
        if not after:
            said = "all"
        elif not known:
            said = f"none ({why})" if why else "none"
        else:
            said = (f"{len(known)} of {len(known) + len(after)}: {', '.join(known)}; only after it: "
                    f"{', '.join(after)}" + (f" ({why})" if why else ""))
        out.append(f"  {backends.info(b).LABEL}: {said}")
    return out


def totals(rows: list[Mapped], backend: str | None = None, kind="parameter") -> tuple[int, int] | None:
    """(tensors, values) of ``kind`` rows, canonical (backend None) or as one backend holds them (each native
    tensor once, even when it holds parts of several canonical ones)."""
    rows = [r for r in rows if r.kind == kind]
    if backend is None:
        shapes = [r.shape for r in rows]
    elif any(backend not in r.parts for r in rows):
        return None
    else:
        shapes = list({name: shape for r in rows for name, shape in r.parts[backend]}.values())
    return len(shapes), sum(math.prod(s) for s in shapes)


def fmt_shape(shape) -> str:
    return "(" + ", ".join(map(str, shape)) + ("," if len(shape) == 1 else "") + ")"


def fmt_total(t) -> str:
    return "—" if t is None else f"{t[1]:,} in {t[0]}"


def notes(block: Block) -> list[str]:
    """What a table of checks does not say: a declared precision limit a backend passed within, and where
    a failing one starts to diverge, why one that was checked is an error (a skip, or an error before any
    check, carries its reason in its own row)."""
    out = []
    for r in block.results.values():
        head = f"{r.spec}[{r.backend}]"
        if r.reason and r.checks:
            out.append(f"{head} {'passed' if r.status == 'pass' else r.status}: {r.reason}")
        if r.status == "fail" and r.first_divergence:
            out.append(f"{head} {report.divergence_line(r).strip()}")
    return out


def verdict(result) -> str:
    """A short verdict for one backend: ``✓ pass 1.8e-07``, ``✗ fail``, ``! error``, ``- skipped``."""
    if result is None:
        return "not run"
    if result.status in ("error", "skipped"):
        return f"{report.MARK[result.status]} {result.status}"
    return f"{report.MARK[result.status]} {result.status} {report.fmt_err(result.worst_rel_err)}"


# --- terminal rendering ------------------------------------------------------------------------------------
def visible(s: str) -> int:
    return len(ANSI.sub("", s))


def pad(s: str, width: int) -> str:
    return s + " " * (width - visible(s))


def highlight(text: str, color: bool) -> list[str]:
    """The lines of ``text``; with ``color`` as ANSI-highlighted Python (each line closes its own codes)."""
    if not color:
        return text.expandtabs().splitlines()
    from pygments import highlight as pyg
    from pygments.formatters import TerminalFormatter
    from pygments.lexers import PythonLexer

    return pyg(text.expandtabs(), PythonLexer(stripnl=False, ensurenl=False), TerminalFormatter(bg="dark")).splitlines()


def wrap(text: str, width: int) -> list[str]:
    return textwrap.wrap(text, max(40, min(width, 100)))


def bold(s: str, color: bool) -> str:
    return f"\033[1m{s}\033[0m" if color else s


def panels(block: Block, color: bool) -> list[tuple[str, list[str]]]:
    return [(f"{s.label} · {s.path}", highlight(s.text, color) if s.text is not None else [s.missing])
            for s in block.sources]


def layout(items: list[tuple[str, list[str]]], width: int, color: bool) -> list[str]:
    """Panels in as many columns as fit in ``width`` (all, half, ... one); one column means stacked."""
    widths = [max([len(head)] + [visible(line) for line in lines]) for head, lines in items]
    n = len(items)
    for cols in (c for c in range(n, 1, -1) if n % c == 0):
        col_w = [max(widths[i] for i in range(j, n, cols)) for j in range(cols)]
        if sum(col_w) + len(GAP) * (cols - 1) <= width:
            break
    else:
        out = []
        for head, lines in items:
            out += ["", bold(f"── {head} " + "─" * max(0, min(width, 88) - len(head) - 4), color), *lines]
        return out
    out = []
    for start in range(0, n, cols):
        row = items[start:start + cols]
        out += ["", joined([bold(h, color) for h, _ in row], col_w), GAP.join("─" * w for w in col_w[:len(row)])]
        for i in range(max(len(lines) for _, lines in row)):
            out.append(joined([lines[i] if i < len(lines) else "" for _, lines in row], col_w))
    return out


def joined(cells: list[str], widths: list[int]) -> str:
    """Cells padded to their column widths (the last one not padded), with or without colour codes."""
    cells = [c if ANSI.sub("", c).strip() else "" for c in cells]  # a blank line may still carry codes
    return GAP.join([pad(c, w) for c, w in zip(cells[:-1], widths)] + cells[-1:]).rstrip()


def grid(rows: list[list[str]], gap: str = "   ") -> list[str]:
    if not rows:  # a block without parameters has nothing to map
        return []
    widths = [max(visible(r[j]) for r in rows) for j in range(len(rows[0]))]
    return [gap.join(pad(c, w) for c, w in zip(r, widths)).rstrip() for r in rows]


def mapping_lines(block: Block, backend_names, width: int, color: bool) -> list[str]:
    rows = mapping(block)
    res = block.results
    status = [report.paint(verdict(res.get(b)), res[b].status if b in res else "", color) for b in backend_names]

    def cell(r, b):
        return f"{r.native[b][0]} {fmt_shape(r.native[b][1])}" if b in r.native else "—"

    kinds = [k for k in ("parameter", "constant", "state buffer") if any(r.kind == k for r in rows)]
    table = [["canonical", *(backends.info(b).LABEL for b in backend_names)]]
    table += [[f"{r.canonical} {fmt_shape(r.shape)}", *(cell(r, b) for b in backend_names)] for r in rows]
    table += [[f"{k}s: {fmt_total(totals(rows, None, k))}", *(fmt_total(totals(rows, b, k)) for b in backend_names)]
              for k in kinds]
    table += [["parity: worst error", *status]]
    lines = grid(table)
    if max(visible(line) for line in lines) <= width:
        return [bold(lines[0], color), *lines[1:]]
    out = []  # too wide: one small table per framework
    for b, st in zip(backend_names, status):
        sub = [[f"  {r.canonical} {fmt_shape(r.shape)}", "↔", cell(r, b)] for r in rows]
        sub += [[f"  {k}s: {fmt_total(totals(rows, None, k))}", "", fmt_total(totals(rows, b, k))] for k in kinds]
        out += [f"{bold(backends.info(b).LABEL, color)}   {st}", *grid(sub, "  "), ""]
    return out[:-1]


def render(block: Block, run, width: int, color: bool) -> str:
    spec = block.spec
    out = [bold(f"{block.name} — {spec.title}", color), f"{where(spec)} · {spec_path(spec)}"]
    if block.variant:
        out += ["", f"Variant of {spec.name}, a deliberate mistake (class {block.variant.model or spec.model}):",
                *wrap(block.variant.why, width)]
    out += ["", spec.doc, "", bold(f"{reference_heading(spec)} ({block.reference_path})", color), ""]
    out += highlight(block.reference, color)
    out += ["", bold(f"The realisations (class {(block.variant and block.variant.model) or spec.model})", color)]
    out += layout(panels(block, color), width, color)
    traps = [v for v in spec.variants if v is not block.variant]
    if traps:
        out += ["", "Deliberate mistakes kept in the same files (see them fail: python compare.py show NAME):"]
        out += [f"  {v.name}: class {v.model or spec.model}" + (f", adapter fault {v.fault}" if v.fault else "")
                for v in traps]
    out += ["", bold(f"Parameters: canonical (PyTorch state_dict names and layouts) ↔ each framework's own, "
                     f"and the parity of this run ({run.dtype}, seed {run.seed})", color), ""]
    out += mapping_lines(block, run.backends, width, color)
    lazy = before_call_lines(block, run.backends)
    if lazy:
        out += ["", *lazy]
    problems = [line for r in block.results.values() for line in report.explain(r, run)]
    problems += [f"{r.spec}[{r.backend}] {r.status}: {r.reason}" for r in block.results.values()
                 if r.reason and r.status in ("pass", "skipped")]
    if problems:
        out += ["", *problems]
    out += ["", *wrap(f"Tolerance {spec.tolerance[run.dtype]:.0e} relative: {spec.tolerance_why}", width),
            f"Reproduce: python compare.py {block.name} --dtype {run.dtype} --seed {run.seed}"
            f"{report.blocks_option(block.name)}"]
    return "\n".join(out)
