"""The harness's modules import each other without a circle, counting imports inside functions too (a
circle hidden in a function is still one: cli -> traps -> cli was), and each imports on its own."""

import ast
import importlib
import pathlib
import subprocess
import sys

from harness.pool import ROOT


def modules() -> dict:
    """harness module name -> its file."""
    out = {}
    for path in sorted((ROOT / "harness").rglob("*.py")):
        parts = list(path.relative_to(ROOT).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        out[".".join(parts)] = path
    return out


def imports(path: pathlib.Path, known: dict) -> set:
    """The harness modules ``path`` imports anywhere in its body (a parent package is not counted)."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found |= {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found |= {f"{node.module}.{a.name}" if f"{node.module}.{a.name}" in known else node.module
                      for a in node.names}
    return {m for m in found if m in known}


def test_no_import_circle():
    known = modules()
    assert len(known) > 20 and "harness.cli.options" in known and "harness.traps" in known
    graph = {m: imports(p, known) - {m} for m, p in known.items()}
    state, path = {}, []

    def visit(m):
        state[m] = "open"
        path.append(m)
        for n in sorted(graph[m]):
            assert state.get(n) != "open", "import circle: " + " -> ".join(path[path.index(n):] + [n])
            if n not in state:
                visit(n)
        path.pop()
        state[m] = "done"

    for m in graph:
        if m not in state:
            visit(m)


def test_each_command_module_imports_on_its_own():
    names = [m for m in modules() if m.startswith("harness.cli")]
    assert len(names) >= 9
    code = "import importlib, sys\nfor m in sys.argv[1:]:\n    importlib.import_module(m)\n"
    for m in names:  # a fresh interpreter each: no module was imported first by another
        proc = subprocess.run([sys.executable, "-c", code, m], cwd=ROOT, capture_output=True, text=True, timeout=120)
        assert proc.returncode == 0, f"{m}: {proc.stderr}"
    assert importlib.import_module("harness.cli").COMMANDS
