"""Every line of every realisation runs, and every ``if`` goes both ways, somewhere in the catalogue.

A branch that no case reaches is a branch no check can see: a realisation that pads 'SAME' where the spec
pads 1 agrees on every map where the two coincide, and a wrong default state passes while every call
gives one. Each backend's realisations (``backends/<fw>/<block>.py``, not the adapters) are traced once
over every spec and variant (``tests/trace_realisations.py``), in that backend's interpreter; this test
then asks, per file, that every statement in a function body ran, and that every ``if`` statement was
seen both true (its body ran) and false (its ``else`` ran, or control went from its test past its body).
"""

from __future__ import annotations

import ast
import json
import os
import pathlib
import subprocess
import sys

import pytest

import backends
from harness.pool import ROOT, SINGLE_THREADED, interpreter
from tests.trace_realisations import realisation_files

# Each folder of realisations traced once: the Keras engines run backends/keras/'s files (REALISATIONS)
OWN = [b for b in backends.names() if backends.realisations(b) == b]


def statement_lines(tree) -> set:
    """First lines of the statements inside function bodies (module and class bodies run on import)."""
    lines = set()
    for fn in ast.walk(tree):
        if isinstance(fn, (ast.FunctionDef, ast.AsyncFunctionDef)):
            for node in ast.walk(fn):
                if isinstance(node, ast.stmt) and node is not fn and not is_docstring(node):
                    lines.add(node.lineno)
    return lines


def is_docstring(node) -> bool:
    return isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant) and isinstance(node.value.value, str)


def branches(tree) -> list:
    """(line, "true"/"false", test's lines, body's lines, first line of the else or None) per ``if``."""
    out = []
    for node in ast.walk(tree):
        if isinstance(node, ast.If):
            test = range(node.lineno, node.body[0].lineno)
            body = range(node.body[0].lineno, node.body[-1].end_lineno + 1)
            orelse = node.orelse[0].lineno if node.orelse else None
            out.append((node.lineno, test, body, orelse))
    return out


def missing(source: str, arcs: set) -> list[str]:
    """What the arcs (line -> next line, -1 for leaving the frame) never ran, as readable strings."""
    tree = ast.parse(source)
    ran = {b for _, b in arcs} | {a for a, _ in arcs}
    gaps = [f"line {n}" for n in sorted(statement_lines(tree) - ran)]
    for line, test, body, orelse in branches(tree):
        if body.start not in ran:
            gaps.append(f"line {line}: `if` never true")
        if orelse is not None:
            seen_false = orelse in ran
        else:
            seen_false = any(a in test and b not in test and b not in body for a, b in arcs)
        if not seen_false:
            gaps.append(f"line {line}: `if` never false")
    return gaps


def trace(backend_names, out_dir: pathlib.Path) -> dict:
    """backend -> {"arcs": {file: set of arcs}, "errors": [...]}; two backends at a time (two cores)."""
    env = {**os.environ, "PYTHONPATH": str(ROOT), "KERAS_BACKEND": "tensorflow", "TF_CPP_MIN_LOG_LEVEL": "3",
           **{k: os.environ.get(k, "1") for k in SINGLE_THREADED}}
    names = [b for b in backend_names if interpreter(b).exists()]
    found = {}
    for pair in (names[i:i + 2] for i in range(0, len(names), 2)):
        procs = {b: subprocess.Popen([str(interpreter(b)), "-m", "tests.trace_realisations", b, str(out_dir / b)],
                                     cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
                 for b in pair}
        for b, p in procs.items():
            _, err = p.communicate(timeout=600)
            assert p.returncode == 0, f"tracing {b} failed:\n{err[-3000:]}"
            data = json.loads((out_dir / b).read_text())
            found[b] = {"arcs": {f: {tuple(a) for a in arcs} for f, arcs in data["arcs"].items()},
                        "errors": data["errors"]}
    return found


@pytest.fixture(scope="module")
def traced(tmp_path_factory):
    return trace(OWN, tmp_path_factory.mktemp("trace"))


@pytest.mark.parametrize("backend", OWN)
def test_every_line_and_both_sides_of_every_if_run(traced, backend):
    if backend not in traced:
        pytest.skip(f"{backend}: no interpreter at {interpreter(backend)}")
    data = traced[backend]
    assert not data["errors"], f"{backend}: requests failed while tracing, lines after them unseen: {data['errors']}"
    files = realisation_files(backend)
    assert files, f"no realisation files under backends/{backend}"
    report = []
    for path in files:
        arcs = data["arcs"].get(str(path), set())
        report += [f"backends/{backend}/{path.name}: {gap}" for gap in missing(path.read_text(), arcs)]
    assert not report, "never run by any case in the catalogue:\n  " + "\n  ".join(report)


def test_the_coverage_rule_sees_an_if_never_false_and_a_line_never_run():
    source = "def f(x, y=None):\n    if y is None:\n        y = 0\n    return x + y\n\n\ndef g():\n    return 1\n"
    # f called once, without y: line 2 -> 3 -> 4, never 2 -> 4; g never called
    gaps = missing(source, {(-1, 2), (2, 3), (3, 4), (4, -1)})
    assert gaps == ["line 8", "line 2: `if` never false"], gaps
    assert missing(source, {(-1, 2), (2, 3), (3, 4), (4, -1), (2, 4), (-1, 8), (8, -1)}) == []


if __name__ == "__main__":  # python -m tests.test_branches [backend ...]: the gaps, without pytest
    import tempfile

    names = sys.argv[1:] or backends.names()
    with tempfile.TemporaryDirectory() as d:
        for b, data in trace(names, pathlib.Path(d)).items():
            for path in realisation_files(b):
                for gap in missing(path.read_text(), data["arcs"].get(str(path), set())):
                    print(f"backends/{b}/{path.name}: {gap}")
            for e in data["errors"]:
                print(f"{b}: error {e}")
