"""Terminal table, failure explanations and the JSON document of a run.

What a framework says (an error's reason and traceback) is cleaned of terminal escape sequences before
it reaches the table or the JSON (``sanitize``). The table's characters (✓, Δ, ×, box drawing) fall back to
ASCII on a stream that cannot encode them (``ascii_fallback``); the JSON is written as ASCII whatever the
locale.
"""

from __future__ import annotations

import codecs
import json
import math
import os
import re
import sys

import backends
import specs

MARK = {"pass": "✓", "fail": "✗", "error": "!", "skipped": "-", "divergent": "~"}
COLOR = {"pass": "32", "fail": "31", "error": "31;1", "skipped": "33", "divergent": "35"}


ESCAPES = re.compile(r"\x1b(\[[0-?]*[ -/]*[@-~]|\][^\x07\x1b]*(\x07|\x1b\\)|[@-Z\\-_])|[\x00-\x08\x0b-\x1f\x7f]")
ASCII = {"✓": "+", "✗": "x", "Δ": "d", "±": "+/-", "×": "x", "—": "-", "–": "-", "·": ".", "…": "...", "²": "^2",
         "≤": "<=", "≥": ">=", "→": "->", "←": "<-", "│": "|", "─": "-", "┼": "+", "├": "+", "┤": "+", "┬": "+",
         "┴": "+", "┌": "+", "┐": "+", "└": "+", "┘": "+", "‖": "||", "µ": "u", "°": "deg", "’": "'", "‘": "'",
         "“": '"', "”": '"'}


def _ascii_replace(err: UnicodeEncodeError):
    return "".join(ASCII.get(ch, "?") for ch in err.object[err.start:err.end]), err.end


codecs.register_error("blockparity-ascii", _ascii_replace)


def ascii_fallback(*streams) -> None:
    """Characters a stream's encoding cannot encode are written as their ASCII look-alikes, not an error."""
    for stream in streams or (sys.stdout, sys.stderr):
        try:
            stream.reconfigure(errors="blockparity-ascii")
        except (AttributeError, ValueError):
            pass


def clean(text: str) -> str:
    """``text`` without terminal escape sequences and control characters (newlines and tabs kept)."""
    return ESCAPES.sub("", text or "")


def sanitize(run) -> None:
    for r in run.results:
        r.reason, r.detail = clean(r.reason), clean(r.detail)


def use_color(stream=None, no_color=False) -> bool:
    stream = stream or sys.stdout
    return not no_color and "NO_COLOR" not in os.environ and hasattr(stream, "isatty") and stream.isatty()


def paint(text: str, status: str, color: bool) -> str:
    return f"\033[{COLOR[status]}m{text}\033[0m" if color and status in COLOR else text


def fmt_err(x) -> str:
    if x is None:
        return "—"
    if x == math.inf:
        return "NaN/absent"
    return f"{x:.1e}"


def cell(result) -> str:
    if result.status in ("error", "skipped"):
        return f"{MARK[result.status]} {result.status}"
    where = result.first_divergence and result.first_divergence.get("tap")
    return f"{MARK[result.status]} {fmt_err(result.worst_rel_err)}" + (f" @{where}" if where else "")


def divergence_line(result) -> str:
    d = result.first_divergence
    if not d:
        return ""
    if d.get("tap") is None:
        return f"    first divergence: unknown ({d.get('note', '')})"
    errs = (f": max|Δ|={fmt_err(d['max_abs_err'])} rel={fmt_err(d['max_rel_err'])}"
            if d.get("max_abs_err") is not None else f": {d.get('note', '')}")
    if d.get("fd_rel_err") is not None:
        errs += f" fd={fmt_err(d['fd_rel_err'])}"
    return f"    first divergence at {d['tap']}{errs}"


def blocks_option(name: str) -> str:
    """`` --blocks DIR`` for a user's block (harness.userblocks), so that a reproduce line finds it."""
    from harness import userblocks

    try:
        origin = specs.resolve(name)[0].origin
    except KeyError:  # a training trap
        return ""
    return f" --blocks {userblocks.shown(origin)}" if origin else ""


def reproduce(result, run) -> str:
    if getattr(run, "steps", None):  # a training run
        return (f"python compare.py train {result.spec} --optimizer {result.optimizer} --steps {run.steps} "
                f"--backends {result.backend} --dtype {run.dtype} --seed {run.seed}{blocks_option(result.spec)}")
    return (f"python compare.py {result.spec} --backends {result.backend} --dtype {run.dtype} --seed {run.seed}"
            f"{blocks_option(result.spec)}{files_option(result, run)}")


def files_option(result, run) -> str:
    """The user's files a result was computed from (``--params``, ``--inputs``, its ``--native``)."""
    given = getattr(run, "weights", None) or {}
    out = "".join(f" --{k} {given[k]}" for k in ("params", "inputs") if given.get(k))
    native = (given.get("native") or {}).get(result.backend)
    return out + (f" --native {result.backend}={native['file']}" if native else "")


def modes_of(name: str) -> tuple:
    try:
        return specs.resolve(name)[0].modes
    except KeyError:
        return ()


def check_line(head: str, c, show_mode: bool = True) -> str:
    what = (f"max|Δ|={fmt_err(c.max_abs_err)} rel={fmt_err(c.max_rel_err)}"
            if c.max_abs_err is not None else "")
    fd = f" fd={c.fd_rel_err:.1e}" if c.fd_rel_err is not None else ""
    mode = f" ({c.mode})" if c.mode and show_mode else ""
    note = f" — {c.note}" if c.note else ""
    return f"{head} {c.quantity}{mode} {what}{fd}{note}".replace("  ", " ")


def explain(result, run) -> list[str]:
    """One line per failing check (or the reason of an error), with the command that reproduces it."""
    head = f"{result.spec}[{result.backend}]"
    if result.status == "error":
        lines = [f"{head} error: {result.reason}"]
        if getattr(run, "verbose", False) and result.detail:
            lines += ["      " + line for line in result.detail.rstrip().splitlines()]
        log = getattr(run, "logs", {}).get(result.backend)
        if log:
            lines.append(f"    log: {log}")
        lines += [check_line(head, c) for c in result.failing()]  # the modes that did answer
        return lines + [f"    reproduce: {reproduce(result, run)}"]
    if result.status != "fail":
        return []
    several = len(modes_of(result.spec)) > 1
    lines = [check_line(head, c, several) for c in result.failing()]
    if result.first_divergence:
        lines.append(divergence_line(result))
    lines.append(f"    reproduce: {reproduce(result, run)}")
    return lines


def divergences(run) -> list[str]:
    """One line per declared divergence seen in this run: the checks one declaration covers (its steps and
    optimizers in a training run, its gradients when a pattern names many) taken together, with the
    largest measured size and the reason."""
    from harness.checks import base_quantity

    seen = {}
    for r in run.results:
        for c in r.divergent():
            seen.setdefault((r.spec, r.backend, c.mode, c.note), []).append(c)
    lines = []
    for (spec, backend, mode, note), found in seen.items():
        worst = max(found, key=lambda c: c.max_rel_err or 0.0)
        names = list(dict.fromkeys(base_quantity(c.quantity) for c in found))
        what = names[0] if len(names) == 1 else f"{names[0]} and {len(names) - 1} more"
        where = f" (largest at {worst.quantity}, {len(found)} checks)" if len(found) > 1 else ""
        mode_text = f" ({mode})" if mode and len(modes_of(spec)) > 1 else ""
        lines.append(f"{spec}[{backend}] {what}{mode_text} rel={fmt_err(worst.max_rel_err)}{where} — {note}")
    return lines


def versions_line(run) -> str:
    return ", ".join(f"{b} {run.versions[b]}" for b in run.backends if b in run.versions)


def environment_lines(run) -> list[str]:
    """What the workers' environment pins, and which of the user's settings that overrode."""
    env = getattr(run, "environment", None)
    if not env:
        return []
    by = {}  # each pinned setting -> the backends that pin it
    for b in run.backends:
        for p in env.get(b, {}).get("pinned", []):
            if not p.startswith(("PYTHON", "TMPDIR")):
                by.setdefault(p, []).append(b)
    unset = [p.removesuffix(" unset") for p in by if p.endswith(" unset")]
    keys = [p.split("=", 1)[0] for p in by if not p.endswith(" unset")]
    # a variable the workers pin to different values (KERAS_BACKEND on the Keras engines) names its backends
    pinned = [p + (f" ({', '.join(bs)})" if keys.count(p.split("=", 1)[0]) > 1 else "")
              for p, bs in by.items() if not p.endswith(" unset")]
    lines = [f"pinned in the workers: {', '.join(pinned)}" + (f"; unset: {', '.join(unset)}" if unset else "")]
    over = {}
    for b in run.backends:
        for k, (value, had) in env.get(b, {}).get("overridden", {}).items():
            what = f"{k} unset" if value is None else f"{k}={value}"
            if "/" in (value or "") and ".private" in value:
                what = f"{k}=(private)"
            over.setdefault((what, had), []).append(b)
    for (what, had), bs in over.items():
        lines.append(f"overridden: {what} for {', '.join(bs)} (your shell had {k_had(had)})")
    return lines


def reference_lines(run) -> list[str]:
    """Which rows are not checked against their spec's float64 NumPy reference, and against what instead."""
    from harness.spec import NUMPY_REFERENCE

    other, numpy = {}, False
    for r in run.results:
        if getattr(r, "reference", "") and r.reference != NUMPY_REFERENCE:
            other.setdefault(r.reference, []).append(r.spec)
        numpy = numpy or getattr(r, "reference", "") == NUMPY_REFERENCE
    rest = f" (the others: {NUMPY_REFERENCE})" if numpy else ""
    return [f"reference: {label} for {', '.join(dict.fromkeys(names))}{rest}" for label, names in other.items()]


def k_had(value: str) -> str:
    return repr(value) if value == "" or " " in value else value


def table(run, color=False, head=None, row_of=lambda r: r.spec, first="spec") -> str:
    names = list(dict.fromkeys(row_of(r) for r in run.results))
    by = {(row_of(r), r.backend): r for r in run.results}
    width = max([len(n) for n in names] + [len(first)]) + 2
    col = max([len(cell(r)) for r in run.results] + [len(backends.info(b).LABEL) for b in run.backends]) + 2
    out = head or [f"blockparity — {run.dtype}, seed {run.seed} — {versions_line(run)}", ""]
    env = environment_lines(run) + reference_lines(run)
    if env:
        out[-1:-1] = env
    out.append((first.ljust(width) + "".join(backends.info(b).LABEL.ljust(col) for b in run.backends)).rstrip())
    for n in names:
        row = n.ljust(width)
        for b in run.backends:
            r = by.get((n, b))
            text = cell(r) if r else ""
            row += paint(text.ljust(col), r.status if r else "", color)
        out.append(row.rstrip())
    alone = sorted({r.backend for r in run.results for c in r.checks if c.alone})
    if alone:  # a consensus of one is that backend itself: say what judged it instead
        out += ["", f"No cross-framework consensus for {', '.join(alone)} (one backend answered): its gradients "
                "are judged by their directional derivatives against the float64 reference alone."]
    problems = [line for r in run.results for line in explain(r, run)]
    skipped = {(r.backend, r.reason) for r in run.results if r.status == "skipped"}
    limits = list(dict.fromkeys(f"{r.spec}[{r.backend}]: {r.reason}" for r in run.results
                                if r.status in ("pass", "divergent") and r.reason))
    declared = divergences(run)
    if declared:
        out += ["", "Declared divergences (~, never counted as passing):"] + [f"  {d}" for d in declared]
    if problems:
        out += ["", "What failed:"] + [f"  {p}" for p in problems]
    if limits:
        out += ["", "Passed within a declared precision limit:"] + [f"  {line}" for line in limits]
    if skipped:
        out += ["", "Skipped:"] + [f"  {b}: {why}" for b, why in sorted(skipped)]
    if getattr(run, "conventions", None):
        out += ["", "Rules documented differently (each backend is held to its own):"]
        out += [f"  {c}" for c in run.conventions]
    if getattr(run, "required_missing", None):
        out += ["", "Required (--require) but not run:"] + [f"  {line}" for line in run.required_missing]
    out += ["", summary(run, color)]
    return "\n".join(out)


def train_table(run, color=False) -> str:
    """The ``train`` report: one row per block and optimizer."""
    from harness import optim

    head = [f"blockparity train — {run.dtype}, seed {run.seed}, {run.steps} steps of each framework's own "
            f"optimizer on sum(mean((output - target)²)) — {versions_line(run)}"]
    head += ["  " + optim.OPTIMIZERS[o].describe() for o in run.optimizers] + [""]
    return table(run, color, head, row_of=lambda r: f"{r.spec} · {r.optimizer}", first="block · optimizer")


def summary(run, color=False) -> str:
    counts = {s: sum(r.status == s for r in run.results) for s in ("pass", "fail", "error", "skipped", "divergent")}
    parts = [paint(f"{counts['pass']} passed", "pass", color and counts["pass"] > 0)]
    for s, word in (("divergent", "divergent (declared)"), ("fail", "failed"), ("error", "errors"),
                    ("skipped", "skipped")):
        if counts[s]:
            parts.append(paint(f"{counts[s]} {word}", s, color))
    n_specs = len({r.spec for r in run.results})
    kinds = f" × {len(run.optimizers)} optimizers" if getattr(run, "optimizers", None) else ""
    return (f"{verdict(run)}: {n_specs} blocks{kinds} × {len(run.backends)} backends — {', '.join(parts)} "
            f"in {run.wall_s:.1f} s")


def verdict(run) -> str:
    """OK only when something was compared, nothing failed and every required backend ran."""
    if getattr(run, "interrupted", None):
        return "INTERRUPTED"
    if not run.ok() or getattr(run, "required_missing", None):
        return "FAILED"
    if not any(r.status in ("pass", "fail", "divergent") for r in run.results):
        return "NOTHING COMPARED"
    return "OK"


def document(run) -> dict:
    """The JSON document: the run's own, each error's details, and what the report says beyond results."""
    doc = run.as_json()
    for d, r in zip(doc["results"], run.results):
        d["reason"] = clean(d.get("reason", ""))
        if r.detail:
            d["detail"] = clean(r.detail)
    doc["verdict"] = verdict(run)
    doc["interrupted"] = getattr(run, "interrupted", None)
    for key in ("environment", "logs", "required_missing", "weights"):
        if getattr(run, key, None) is not None:
            doc[key] = getattr(run, key)
    return doc


def write_json(run, path) -> None:
    text = json.dumps(run if isinstance(run, dict) else document(run), indent=1, allow_nan=False)
    with open(path, "w", encoding="ascii") as f:  # ensure_ascii: the same bytes whatever the locale
        f.write(text + "\n")
