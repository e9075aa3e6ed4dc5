"""The realisations are teaching code read four columns side by side: keep their lines short."""

import pathlib

import pytest

ROOT = pathlib.Path(__file__).resolve().parent.parent
GLUE = ("adapter.py", "native.py", "__init__.py")  # the harness's side of a backend folder, not teaching code
FILES = sorted(p for p in (ROOT / "backends").glob("*/*.py") if p.name not in GLUE)
assert FILES, f"no realisation file under {ROOT / 'backends'}: no line length would be checked"


@pytest.mark.parametrize("path", FILES, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_realisation_lines_fit_a_column(path):
    long = [f"{path.name}:{i}: {len(line)} chars" for i, line in enumerate(path.read_text().splitlines(), 1)
            if len(line) > 88]
    assert not long, "\n".join(long)
