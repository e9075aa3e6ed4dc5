"""The command line contract: exit codes, one-line errors, the JSON document and the dump layout."""

import json
import subprocess
import sys

import numpy as np
import pytest

from harness.pool import ROOT


def cli(*args):
    quiet = ["--quiet"] if args and args[0] not in ("list", "bench", "--help") else []
    proc = subprocess.run([sys.executable, "compare.py", *args, *quiet], cwd=ROOT, capture_output=True, text=True,
                          timeout=600)
    return proc


@pytest.mark.parametrize("args, needle", [
    (["nope"], "unknown spec or command 'nope'. Expected one of: list, show, report, traps, train, bench, "),
    (["mlp", "nope"], "unknown spec 'nope'. Expected one of: "),
    (["bench", "--repeat", "0"], "--repeat must be at least 1, not 0"),
    (["--backends", "torch,tf"], "unknown backend 'tf'. Expected one of: torch, flax, keras, gluon"),
    (["--dtype", "float16"], "invalid choice: 'float16'"),
])
def test_bad_input_is_one_line_and_exit_2(args, needle):
    proc = cli(*args)
    assert proc.returncode == 2
    assert needle in proc.stderr and len(proc.stderr.strip().splitlines()) == 1, proc.stderr


def test_help_names_every_command():
    from harness.cli import COMMANDS

    out = cli("--help").stdout
    assert all(f"\n  {name} " in out for name in COMMANDS), out


def test_list_names_every_block_and_variant():
    out = cli("list").stdout
    assert "mlp" in out and "my_linear_data_attr" in out and "variant of my_linear" in out


def test_json_and_dump(tmp_path):
    proc = cli("my_linear", "my_linear_data_attr", "--backends", "torch,gluon", "--json", str(tmp_path / "r.json"),
               "--dump", str(tmp_path / "dump"))
    assert proc.returncode == 1, proc.stdout + proc.stderr  # the variant fails
    doc = json.loads((tmp_path / "r.json").read_text())
    assert set(doc) >= {"dtype", "seed", "versions", "results"} and doc["dtype"] == "float32"
    assert set(doc["versions"]) == {"torch", "gluon"}
    for r in doc["results"]:
        assert set(r) >= {"spec", "backend", "status", "reason", "checks"}
        for c in r["checks"]:
            assert set(c) >= {"quantity", "max_abs_err", "max_rel_err", "passed"}
    statuses = {(r["spec"], r["backend"]): r["status"] for r in doc["results"]}
    assert statuses == {("my_linear", "torch"): "pass", ("my_linear", "gluon"): "pass",
                        ("my_linear_data_attr", "torch"): "fail", ("my_linear_data_attr", "gluon"): "fail"}
    assert "reproduce: python compare.py my_linear_data_attr --backends torch" in proc.stdout
    d = tmp_path / "dump" / "my_linear"
    with np.load(d / "inputs.npz", allow_pickle=False) as f:
        assert sorted(f.files) == ["cotangent", "x"]
    with np.load(d / "params.npz", allow_pickle=False) as f:
        assert sorted(f.files) == ["bias", "weight"]
    with np.load(d / "gluon.npz", allow_pickle=False) as f:
        assert sorted(f.files) == ["grad:bias", "grad:input", "grad:weight", "output"]
    with np.load(tmp_path / "dump" / "my_linear_data_attr" / "torch.npz", allow_pickle=False) as f:
        assert "grad:weight" not in f.files  # absent, as torch returned None


def test_exit_0_when_all_pass():
    proc = cli("centered_layer", "--backends", "torch")
    assert proc.returncode == 0 and "OK:" in proc.stdout
