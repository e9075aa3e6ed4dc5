"""The command line contract: exit codes, one-line errors, the JSON document and the dump layout."""

import json
import os
import subprocess
import sys

import numpy as np
import pytest

import backends
from harness.pool import ROOT
from tests.conftest import cli


@pytest.mark.parametrize("args, needle", [
    (["nope"], "unknown spec or command 'nope'. Expected one of: list, show, report, traps, init, train, bench, "
               "merge, "),
    (["mlp", "nope"], "unknown spec 'nope'. Expected one of: "),
    (["bench", "--repeat", "0"], "--repeat must be at least 1, not 0"),
    (["--backends", "torch,tf"], "unknown backend 'tf'. Expected one of: " + ", ".join(backends.names())),
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


# --- bad input is refused before any worker starts ------------------------------------------------------------
def no_worker_env(tmp_path):
    """Every backend's interpreter replaced by a script that leaves a mark: a worker started is seen."""
    mark = tmp_path / "started"
    script = tmp_path / "python"
    script.write_text(f"#!/bin/sh\ntouch {mark}\nexit 3\n")
    script.chmod(0o755)
    env = {**os.environ, **{f"BLOCKPARITY_PYTHON_{b.upper()}": str(script) for b in backends.names()}}
    return env, mark


BAD_VALUES = [
    (["--backends", "torch,torch"], "--backends names 'torch' more than once"),
    (["mlp", "lenet", "mlp"], "names 'mlp' more than once"),
    (["--seed", "-1"], "--seed must be at least 0, not -1 (valid: 0 to 4294967295)"),
    (["--seed", "4294967296"], "--seed must be at most 4294967295, not 4294967296"),
    (["--seed", "x"], "--seed must be an integer from 0 to 4294967295, not 'x'"),
    (["--timeout", "0"], "--timeout must be a finite number of seconds greater than 0, not '0'"),
    (["--timeout", "-5"], "--timeout must be a finite number"),
    (["--timeout", "nan"], "--timeout must be a finite number"),
    (["--timeout", "inf"], "--timeout must be a finite number"),
    (["train", "--steps", "1000000"], "--steps must be at most 1000, not 1000000"),
    (["train", "mlp", "mlp"], "names 'mlp' more than once"),
    (["train", "--seed", "-1"], "--seed must be at least 0"),
    (["traps", "--timeout", "0"], "--timeout must be a finite number"),
    (["traps", "--dtype", "float16"], "invalid choice: 'float16'"),
    (["traps", "--backends", "keras,keras"], "--backends names 'keras' more than once"),
    (["show", "mlp", "--width", "5"], "--width must be at least 40, not 5"),
    (["show", "mlp", "--seed", "-1"], "--seed must be at least 0"),
    (["report", "--html", "mlp"], "--html 'mlp' is not a file name ending in .html or .htm (a block name?"),
    (["report", "--md", "notes.txt"], "--md 'notes.txt' is not a file name ending in .md"),
    (["report", "--html", "{tmp}/p.html", "--md", "x.md", "--timeout", "nan"], "--timeout must be a finite"),
    (["--json", "mlp"], "--json 'mlp' is not a file name ending in .json (a block name?"),
    (["--json", ""], "--json is empty"),
    (["--json", "{tmp}/missing/r.json"], "missing' does not exist"),
    (["--json", "{tmp}/adir.json"], "is a directory"),
    (["--dump", "{tmp}/afile"], "is an existing file"),
    (["--dump", "mlp", "lenet"], "--dump 'mlp' looks like a block name"),
    (["--dump", ""], "--dump is empty"),
    (["--require", "gluon", "--backends", "torch"], "--require names 'gluon', which this run does not run"),
    (["--backends", ""], "--backends names no backend"),
    (["bench", "--repeat", "1000"], "--repeat must be at most 100"),
]


@pytest.mark.parametrize("args, needle", BAD_VALUES, ids=[" ".join(a) or "empty" for a, _ in BAD_VALUES])
def test_bad_values_are_one_line_and_exit_2_before_any_worker_starts(tmp_path, args, needle):
    (tmp_path / "adir.json").mkdir()
    (tmp_path / "afile").write_text("x")
    env, mark = no_worker_env(tmp_path)
    args = [a.replace("{tmp}", str(tmp_path)) for a in args]
    proc = subprocess.run([sys.executable, "compare.py", *args, "--quiet"] if args[0] != "bench" else
                          [sys.executable, "compare.py", *args], cwd=ROOT, env=env, capture_output=True,
                          text=True, timeout=120)
    assert proc.returncode == 2, proc.stdout + proc.stderr
    assert needle in proc.stderr and len(proc.stderr.strip().splitlines()) == 1, proc.stderr
    assert proc.stderr.startswith("error: ") and proc.stdout == ""
    assert not mark.exists(), "a worker was started before the input was checked"


# --- gates that compare nothing, required backends ------------------------------------------------------------
def test_a_run_that_compares_nothing_is_not_ok(tmp_path):
    env = {**os.environ, "BLOCKPARITY_PYTHON_GLUON": str(tmp_path / "no-python"),
           "BLOCKPARITY_LOG_DIR": str(tmp_path / "logs")}
    proc = subprocess.run([sys.executable, "compare.py", "mlp", "--backends", "gluon", "--quiet"], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert "OK" not in proc.stdout and "NOTHING COMPARED: 1 blocks × 1 backends — 0 passed, 1 skipped" in proc.stdout


def test_a_required_backend_that_cannot_run_fails_the_run(tmp_path):
    env = {**os.environ, "BLOCKPARITY_PYTHON_GLUON": str(tmp_path / "no-python"),
           "BLOCKPARITY_LOG_DIR": str(tmp_path / "logs")}
    base = [sys.executable, "compare.py", "centered_layer", "--backends", "torch,gluon", "--quiet",
            "--json", str(tmp_path / "r.json")]
    relaxed = subprocess.run(base, cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
    assert relaxed.returncode == 0 and "OK:" in relaxed.stdout, relaxed.stdout + relaxed.stderr
    strict = subprocess.run([*base, "--require", "all"], cwd=ROOT, env=env, capture_output=True, text=True,
                            timeout=300)
    assert strict.returncode == 1, strict.stdout + strict.stderr
    assert "required backend gluon did not run: no interpreter" in strict.stdout
    assert "FAILED:" in strict.stdout and "OK:" not in strict.stdout
    doc = json.loads((tmp_path / "r.json").read_text())
    assert doc["verdict"] == "FAILED" and doc["required_missing"][0].startswith("required backend gluon")


def test_a_documented_gap_of_a_required_backend_stays_a_skip(tmp_path):
    proc = subprocess.run([sys.executable, "compare.py", "centered_layer", "multihead_attention_builtin",
                           "--backends", "torch,gluon", "--require", "all", "--quiet"], cwd=ROOT,
                          env={**os.environ, "BLOCKPARITY_LOG_DIR": str(tmp_path)}, capture_output=True, text=True,
                          timeout=300)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "1 skipped" in proc.stdout and "no multi-head attention layer" in proc.stdout


# --- errors can be read: details in the JSON, --verbose and a log that outlives the run --------------------------
def test_an_error_keeps_its_details_in_json_verbose_and_a_log_without_escapes(tmp_path):
    broken = tmp_path / "python"
    broken.write_text("#!/bin/sh\necho 'Traceback (most recent call last):' >&2\n"
                      "echo '  File \"adapter.py\", line 7, in <module>' >&2\n"
                      "printf 'RuntimeError: \\033[31mno kernel image\\033[0m for this device\\n' >&2\nexit 3\n")
    broken.chmod(0o755)
    env = {**os.environ, "BLOCKPARITY_PYTHON_FLAX": str(broken), "BLOCKPARITY_LOG_DIR": str(tmp_path / "logs")}
    proc = subprocess.run([sys.executable, "compare.py", "centered_layer", "--backends", "flax", "--verbose",
                           "--quiet", "--json", str(tmp_path / "r.json")], cwd=ROOT, env=env, capture_output=True,
                          text=True, timeout=120)
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert "\x1b" not in proc.stdout and "RuntimeError: no kernel image for this device" in proc.stdout
    assert 'File "adapter.py", line 7' in proc.stdout  # --verbose: the traceback under the error line
    (r,) = json.loads((tmp_path / "r.json").read_text())["results"]
    assert r["status"] == "error" and "\x1b" not in r["reason"] + r["detail"]
    assert 'File "adapter.py", line 7' in r["detail"]
    log = next(line.split("log: ", 1)[1] for line in proc.stdout.splitlines() if "log: " in line)
    assert log.startswith(str(tmp_path / "logs")) and "no kernel image" in open(log).read()


def test_only_the_newest_runs_logs_are_kept(tmp_path, monkeypatch):
    from harness.cli import session

    monkeypatch.setenv("BLOCKPARITY_LOG_DIR", str(tmp_path))
    for i in range(session.KEEP_LOGS + 5):
        (tmp_path / f"old-{i:02d}").mkdir()
        os.utime(tmp_path / f"old-{i:02d}", (i, i))
    new = session.new_log_dir()
    kept = sorted(p.name for p in tmp_path.iterdir())
    assert new.exists() and len(kept) == session.KEEP_LOGS and "old-00" not in kept and "old-24" in kept


# --- the user's environment does not leak into what the frameworks compute ------------------------------------
def test_the_users_framework_settings_and_a_non_utf8_terminal_change_nothing(tmp_path):
    keras_home = tmp_path / "keras"
    keras_home.mkdir()
    (keras_home / "keras.json").write_text(json.dumps({"image_data_format": "channels_first", "floatx": "float64",
                                                       "epsilon": 0.1, "backend": "jax"}))
    env = {**os.environ, "KERAS_HOME": str(keras_home), "KERAS_BACKEND": "jax", "JAX_PLATFORMS": "cuda",
           "JAX_DEFAULT_MATMUL_PRECISION": "bfloat16", "XLA_FLAGS": "--xla_cpu_enable_fast_math=true",
           "PYTHONIOENCODING": "ascii", "BLOCKPARITY_LOG_DIR": str(tmp_path / "logs")}
    proc = subprocess.run([sys.executable, "compare.py", "conv_pad1", "--backends", "keras,flax", "--quiet",
                           "--json", str(tmp_path / "r.json")], cwd=ROOT, env=env, capture_output=True, timeout=600)
    out = proc.stdout.decode("ascii")  # nothing but ASCII on an ASCII terminal
    assert proc.returncode == 0, out + proc.stderr.decode(errors="replace")
    assert "overridden: KERAS_BACKEND=tensorflow for keras (your shell had jax)" in out
    assert "overridden: JAX_PLATFORMS=cpu for flax (your shell had cuda)" in out
    assert "overridden: KERAS_HOME=(private) for keras" in out
    assert "conv_pad1" in out and "+ " in out  # ✓ written as +
    doc = json.loads((tmp_path / "r.json").read_bytes().decode("ascii"))
    assert {r["backend"]: r["status"] for r in doc["results"]} == {"keras": "pass", "flax": "pass"}
    assert doc["environment"]["keras"]["overridden"]["KERAS_BACKEND"] == ["tensorflow", "jax"]
