"""``compare.py show``: the code shown is the files on disk, laid out to fit, and the table is the run's."""

import dataclasses
import inspect
import os
import re
import subprocess
import sys

import pytest

import backends
from harness import teach
from harness.pool import ROOT

SECTION_AFTER_CODE = re.compile(r"^(Deliberate mistakes|Parameters: canonical)")


def mlp_block(compare):
    """The float32 run of every block (shared with test_parity), seen as a run of the book's four frameworks:
    the layouts below are those of four panels (the engines' columns: tests/test_page.py, docs/engines.md)."""
    run = compare(dtype="float32")
    four = backends.defaults()
    run = dataclasses.replace(run, backends=four, results=[r for r in run.results if r.backend in four])
    return next(b for b in teach.blocks(run) if b.name == "mlp"), run


def on_disk(backend, module="mlp"):
    return (ROOT / "backends" / backend / f"{module}.py").read_text().splitlines()


def columns_of(lines, headers):
    """Cut a columns layout back into one list of lines per panel, by the headers' positions."""
    out = {h: [] for h in headers}
    i = 0
    while i < len(lines):
        row = [h for h in headers if h in lines[i]]
        if not row:
            i += 1
            continue
        starts = [lines[i].index(h) for h in row]
        assert set(lines[i + 1]) <= {"─", " ", "│"}, f"no rule under the headers: {lines[i + 1]!r}"
        i += 2
        while i < len(lines) and lines[i] and not SECTION_AFTER_CODE.match(lines[i]):
            for h, a, b in zip(row, starts, starts[1:] + [None]):
                out[h].append(lines[i][a:None if b is None else b - len(teach.GAP)].rstrip())
            i += 1
    return {h: "\n".join(v).rstrip("\n").splitlines() for h, v in out.items()}


def stacked_of(lines, headers):
    out = {}
    for h in headers:
        start = next(i for i, line in enumerate(lines) if line.startswith(f"── {h} "))
        body = []
        for line in lines[start + 1:]:
            if line.startswith("── ") or SECTION_AFTER_CODE.match(line):
                break
            body.append(line)
        out[h] = "\n".join(body).rstrip("\n").splitlines()
    return out


@pytest.mark.parametrize("width, per_row", [(1000, 4), (200, 2), (80, 1)], ids=["4-columns", "2x2", "stacked"])
def test_panels_are_the_source_files_laid_out_to_fit(compare, width, per_row):
    block, run = mlp_block(compare)
    lines = teach.render(block, run, width, color=False).splitlines()
    headers = [f"{backends.info(b).LABEL} · backends/{b}/mlp.py" for b in run.backends]
    assert len(headers) == 4, f"the layouts below are for four panels, the run has {run.backends}"
    if per_row == 1:
        got = stacked_of(lines, headers)
    else:
        got = columns_of(lines, headers)
        header_rows = [line for line in lines if any(h in line for h in headers)]
        assert [sum(h in line for h in headers) for line in header_rows] == [per_row] * (4 // per_row), header_rows
        too_wide = [line for line in lines if "│" in line and len(line) > width]
        assert not too_wide, f"columns wider than {width}: {too_wide[:2]}"
    for b, h in zip(run.backends, headers):
        assert got[h] == on_disk(b), f"{h}: shown\n" + "\n".join(got[h]) + "\n!= the file on disk"


def test_reference_and_mapping_come_from_the_spec_and_the_run(compare):
    block, run = mlp_block(compare)
    text = teach.render(block, run, 400, color=False)
    assert "\n" + inspect.getsource(block.spec.reference).rstrip("\n") + "\n\n" in text, "reference not shown whole"
    rows = {line.split("   ")[0].strip(): re.split(r"\s{3,}", line.strip())[1:] for line in text.splitlines()}
    inventory = {r.backend: {p["canonical"]: p for p in r.native_params} for r in run.results if r.spec == "mlp"}
    for name, param in block.spec.params.items():
        cells = rows[f"{name} {teach.fmt_shape(param.shape)}"]
        want = [f"{inventory[b][name]['native']} {teach.fmt_shape(inventory[b][name]['shape'])}" for b in run.backends]
        assert cells == want, f"{name}: {cells} != the run's inventory {want}"
    # the verified layout facts (docs/conventions/core.md): flax and Keras kernels are (in, out)
    assert "params/hidden/kernel (20, 256)" in rows["hidden.weight (256, 20)"]
    assert "hidden.kernel (20, 256)" in rows["hidden.weight (256, 20)"]
    assert rows["parameters: 7,946 in 4"] == ["7,946 in 4"] * len(run.backends)
    verdicts = [r for r in run.results if r.spec == "mlp"]
    assert [r.backend for r in verdicts] == list(run.backends), [r.backend for r in verdicts]
    assert rows["parity: worst error"] == [teach.verdict(r) for r in verdicts]
    assert all(v.startswith("✓ pass") for v in rows["parity: worst error"])


def test_narrow_terminal_gets_one_mapping_per_framework(compare):
    block, run = mlp_block(compare)
    lines = teach.render(block, run, 80, color=False).splitlines()
    at = lines.index(next(line for line in lines if line.startswith("Flax ")))
    assert lines[at].split()[1:3] == ["✓", "pass"]
    first = re.split(r"\s{2,}", lines[at + 1].strip())
    assert first == ["hidden.weight (256, 20)", "↔", "params/hidden/kernel (20, 256)"], lines[at:at + 3]


def test_color_is_highlighting_only(compare):
    block, run = mlp_block(compare)
    for width in (1000, 80):
        plain = teach.render(block, run, width, color=False)
        colored = teach.render(block, run, width, color=True)
        assert "\x1b[" not in plain and colored.count("\x1b[") > 50
        assert teach.ANSI.sub("", colored) == plain, "colour changed the text or the layout"


def test_show_command_plain_when_piped_and_a_missing_framework_shown_as_skipped(tmp_path):
    env = {**os.environ, "BLOCKPARITY_PYTHON_GLUON": str(tmp_path / "no-python"), "COLUMNS": "200"}
    proc = subprocess.run([sys.executable, "compare.py", "show", "mlp", "--backends", "torch,gluon", "--quiet"],
                          cwd=ROOT, env=env, capture_output=True, text=True, timeout=600)
    out = proc.stdout
    assert proc.returncode == 0, out + proc.stderr
    assert "\x1b" not in out
    assert out.startswith("mlp — MLP as a custom module")
    headers = ["PyTorch · backends/torch/mlp.py", "Gluon · backends/gluon/mlp.py"]
    got = columns_of(out.splitlines(), headers)  # COLUMNS=200 fits both side by side
    assert got[headers[0]] == on_disk("torch") and got[headers[1]] == on_disk("gluon")
    parity = next(line for line in out.splitlines() if line.startswith("parity: worst error"))
    torch, gluon = re.split(r"\s{3,}", parity)[1:]
    assert torch.startswith("✓ pass ") and gluon == "- skipped", parity
    assert "mlp[gluon] skipped: no interpreter" in out


@pytest.mark.parametrize("args, needle", [
    (["show", "nope"], "unknown spec 'nope'. Expected one of: "),
    (["show", "mlp", "--backends", "tf"], "unknown backend 'tf'. Expected one of: " + ", ".join(backends.names())),
    (["report", "mlp"], "nothing to write. Expected --html PATH, --md PATH or both"),
    (["report", "--html", "x.html", "nope"], "unknown spec 'nope'"),
], ids=["show-spec", "show-backend", "report-no-output", "report-spec"])
def test_bad_input_is_one_line_and_exit_2(args, needle):
    proc = subprocess.run([sys.executable, "compare.py", *args], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 2, proc.stdout + proc.stderr
    assert needle in proc.stderr and len(proc.stderr.strip().splitlines()) == 1, proc.stderr
