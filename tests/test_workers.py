"""Worker isolation: a backend that is missing, broken, crashing or hanging never takes the others down."""

import os
import signal

import numpy as np
import pytest

from harness import bench
from harness.pool import ROOT, Pool, default_workers
from harness.protocol import load_arrays, save_arrays
from harness.run import compare_backends


def statuses(run):
    return {(r.spec, r.backend): (r.status, r.reason) for r in run.results}


def test_killed_worker_gives_an_error_row_and_the_rest_still_arrive(tmp_path):
    killed = []

    def kill_first_gluon_request(backend, kind, payload):
        if backend == "gluon" and kind == "started" and not killed:
            os.kill(pool.workers["gluon"].proc.pid, signal.SIGKILL)
            killed.append(payload["spec"])

    with Pool(["torch", "gluon"], tmp_path) as pool:
        run = compare_backends(pool, ["mlp", "centered_layer"], ["torch", "gluon"], on_event=kill_first_gluon_request)
    got = statuses(run)
    assert killed == ["mlp"]
    assert got[("mlp", "gluon")][0] == "error" and "SIGKILL" in got[("mlp", "gluon")][1]
    # the worker was restarted for what was left, and torch never noticed
    assert got[("centered_layer", "gluon")][0] == "pass"
    assert got[("mlp", "torch")][0] == got[("centered_layer", "torch")][0] == "pass"


SHARED = ["mlp", "dropout", "batch_norm", "lstm", "lenet", "multihead_attention", "my_linear", "resnet"]


def test_several_workers_per_backend_give_the_bits_of_one(compare, tmp_path):
    """Three workers per backend share the blocks (each serves some) and every check comes out exactly as
    with the session's one worker each: nothing a request computes depends on the requests before it."""
    one = compare(SHARED, ["torch", "flax"])
    with Pool(["torch", "flax"], tmp_path, workers=3) as pool:
        # All three ready before the first request, so that each gets one whichever machine runs the test (a
        # run does not wait for extra workers: on a loaded machine the first could serve every block alone).
        pool.wait_ready(workers=3)
        assert all(w.state == "ready" for crew in pool.crews.values() for w in crew)
        three = compare_backends(pool, SHARED, ["torch", "flax"])
        served = {b: [w.served for w in crew] for b, crew in pool.crews.items()}
    assert all(len(s) == 3 and min(s) > 0 for s in served.values()), served
    exact = lambda run: {(r.spec, r.backend, r.status): [(c.quantity, c.max_abs_err, c.max_rel_err) for c in r.checks]
                         for r in run.results}
    assert exact(one) and exact(three) == exact(one)


def test_a_crashed_worker_of_several_loses_only_its_request(tmp_path):
    killed = []

    def kill_a_busy_worker_once(backend, kind, payload):
        # The first request started: a worker has it in flight. (Waiting for the second worker to get one made
        # the test depend on the machine: under load the first served every block before the second was up.)
        busy = [w for w in pool.crews["torch"] if w.inflight]
        if kind == "started" and not killed and busy:
            os.kill(busy[0].proc.pid, signal.SIGKILL)
            killed.append(True)

    with Pool(["torch"], tmp_path, workers=2) as pool:
        run = compare_backends(pool, SHARED, ["torch"], on_event=kill_a_busy_worker_once)
        assert len(pool.crews["torch"]) == 2, "the pool did not start a second worker"
    got = statuses(run)
    errors = [k for k, (status, _) in got.items() if status == "error"]
    assert killed and len(errors) == 1 and "SIGKILL" in got[errors[0]][1], got
    assert all(status in ("pass", "divergent") for k, (status, _) in got.items() if k not in errors)


def test_a_hanging_worker_times_out_and_is_given_up_after_restarts(tmp_path):
    with Pool(["torch"], tmp_path, timeout=0.001) as pool:
        run = compare_backends(pool, ["mlp", "nest_mlp", "chimera", "my_linear"], ["torch"])
    reasons = [r.reason for r in run.results]
    assert all(r.status == "error" for r in run.results)
    assert "timed out after" in reasons[0]
    assert any("not restarted again" in r for r in reasons), reasons


def test_missing_framework_is_skipped_not_failed(tmp_path, monkeypatch):
    # The main environment has no mxnet: the Gluon worker started there reports itself unavailable.
    monkeypatch.setenv("BLOCKPARITY_PYTHON_GLUON", str(ROOT / ".venv" / "bin" / "python"))
    with Pool(["gluon"], tmp_path) as pool:
        run = compare_backends(pool, ["mlp"], ["gluon"])
    (r,) = run.results
    assert r.status == "skipped" and "mxnet not installed" in r.reason
    assert run.ok()


def test_missing_interpreter_is_skipped_with_the_fix(tmp_path, monkeypatch):
    monkeypatch.setenv("BLOCKPARITY_PYTHON_GLUON", str(tmp_path / "nowhere" / "python"))
    with Pool(["gluon"], tmp_path) as pool:
        run = compare_backends(pool, ["mlp"], ["gluon"])
    assert run.results[0].status == "skipped" and "make compare" in run.results[0].reason


def test_worker_that_dies_at_start_is_an_error_with_its_last_words(tmp_path, monkeypatch):
    broken = tmp_path / "python"
    broken.write_text("#!/bin/sh\necho 'ImportError: libfoo.so: cannot open shared object file' >&2\nexit 3\n")
    broken.chmod(0o755)
    monkeypatch.setenv("BLOCKPARITY_PYTHON_FLAX", str(broken))
    with Pool(["torch", "flax"], tmp_path) as pool:
        run = compare_backends(pool, ["my_linear"], ["torch", "flax"])
    got = statuses(run)
    assert got[("my_linear", "flax")][0] == "error"
    assert "exit code 3" in got[("my_linear", "flax")][1] and "libfoo.so" in got[("my_linear", "flax")][1]
    assert got[("my_linear", "torch")][0] == "pass"


def test_arrays_cross_without_pickle(tmp_path):
    save_arrays(tmp_path / "ok.npz", {"param:a.weight": np.ones((2, 3), np.float32), "input:x": np.arange(3)})
    assert load_arrays(tmp_path / "ok.npz")["param:a.weight"].shape == (2, 3)
    objects = {"x": np.array([{"a": 1}], dtype=object)}
    with pytest.raises(TypeError, match=r"not plain numeric arrays: x \(dict\)"):  # refused when written...
        save_arrays(tmp_path / "bad.npz", objects)
    np.savez(tmp_path / "bad.npz", **objects)  # ...and when read, had anything else written one
    with pytest.raises(ValueError, match="allow_pickle"):
        load_arrays(tmp_path / "bad.npz")


def test_arrays_read_back_as_numpy_reads_them(tmp_path):
    """load_arrays parses plain headers itself: every dtype, shape and layout must come back as np.load gives
    it, writable, and what its pattern does not cover (Fortran order, text, a compressed file) through NumPy."""
    arrays = {"a": np.arange(6, dtype=np.float32).reshape(2, 3), "scalar": np.float64(3.5),
              "empty": np.zeros((0, 4), np.int64), "step1:grad:x.weight": np.random.default_rng(0).random((256, 20)),
              "mask": np.array([True, False]), "big_endian": np.arange(4, dtype=">i4"),
              "fortran": np.asfortranarray(np.arange(12.0).reshape(3, 4)), "complex": np.array([1 + 2j]),
              "text": np.array(["ab", "c"])}
    for name, write in (("plain", save_arrays), ("compressed", lambda p, a: np.savez_compressed(p, **a))):
        write(tmp_path / f"{name}.npz", arrays)
        got = load_arrays(tmp_path / f"{name}.npz")
        with np.load(tmp_path / f"{name}.npz", allow_pickle=False) as f:
            want = {k: f[k] for k in f.files}
        assert list(got) == list(want) == list(arrays), name
        for k, w in want.items():
            assert got[k].dtype == w.dtype and got[k].shape == w.shape and np.array_equal(got[k], w), (name, k)
            assert got[k].flags.writeable and got[k].flags.c_contiguous == w.flags.c_contiguous, (name, k)


def test_worker_keeps_the_protocol_clean_of_framework_output(tmp_path):
    """Anything printed to stdout by a framework or a realisation goes to the worker's log, not the protocol."""
    import subprocess

    code = ("import os\n"
            "from backends.torch import adapter\n"
            "from harness import worker\n"
            "version = adapter.Adapter.version\n"
            "def noisy(self):\n"  # runs inside the worker, after it has taken stdout over
            "    print('noise from Python')\n"
            "    os.write(1, b'noise from C\\n')\n"
            "    return version(self)\n"
            "adapter.Adapter.version = noisy\n"
            "worker.main('torch')\n")
    proc = subprocess.run([str(ROOT / ".venv" / "bin" / "python"), "-c", code], input=b'{"op": "quit"}\n',
                          capture_output=True, cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)}, timeout=120)
    lines = proc.stdout.decode().splitlines()
    assert len(lines) == 1 and lines[0].startswith('{"event":"ready"'), lines
    assert b"noise from Python" in proc.stderr and b"noise from C" in proc.stderr


def broken_interpreters(tmp_path) -> dict:
    """Interpreters that cannot be executed: Popen itself raises for each."""
    directory = tmp_path / "a-directory"
    directory.mkdir()
    not_executable = tmp_path / "not-executable"
    not_executable.write_text("#!/bin/sh\nexit 0\n")
    garbage = tmp_path / "garbage"
    garbage.write_bytes(b"\x7fELF\x00garbage" * 8)
    garbage.chmod(0o755)
    return {"directory": directory, "not executable": not_executable, "garbage": garbage}


def test_an_interpreter_that_cannot_be_executed_is_an_error_row_and_the_others_still_arrive(tmp_path):
    """Each broken interpreter is that backend's error; PyTorch, started first, still answers."""
    import subprocess
    import sys

    broken = broken_interpreters(tmp_path)
    env = {**os.environ, "BLOCKPARITY_PYTHON_FLAX": str(broken["directory"]),
           "BLOCKPARITY_PYTHON_KERAS": str(broken["not executable"]),
           "BLOCKPARITY_PYTHON_GLUON": str(broken["garbage"]), "BLOCKPARITY_LOG_DIR": str(tmp_path / "logs")}
    proc = subprocess.run([sys.executable, "compare.py", "centered_layer", "--quiet", "--json",
                           str(tmp_path / "r.json")], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 1 and "Traceback" not in proc.stderr, proc.stdout + proc.stderr
    import json

    got = {r["backend"]: (r["status"], r["reason"]) for r in json.loads((tmp_path / "r.json").read_text())["results"]}
    assert got["torch"][0] == "pass", got
    for b in ("flax", "keras", "gluon"):
        assert got[b][0] == "error" and "cannot run the interpreter" in got[b][1], got


def test_a_worker_that_hangs_at_start_is_given_up_within_the_timeout(tmp_path):
    import subprocess
    import sys
    import time

    hang = tmp_path / "python"
    hang.write_text("#!/bin/sh\nsleep 599.25\n")
    hang.chmod(0o755)
    env = {**os.environ, "BLOCKPARITY_PYTHON_FLAX": str(hang), "BLOCKPARITY_LOG_DIR": str(tmp_path / "logs")}
    t0 = time.monotonic()
    proc = subprocess.run([sys.executable, "compare.py", "centered_layer", "--backends", "flax", "--timeout", "2",
                           "--quiet"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert time.monotonic() - t0 < 30, "the start was waited for longer than --timeout"
    assert proc.returncode == 1 and "did not start within 2 s" in proc.stdout, proc.stdout + proc.stderr
    left = []
    for d in filter(str.isdigit, os.listdir("/proc")):
        try:
            cmdline = open(f"/proc/{d}/cmdline", "rb").read()
        except OSError:
            continue
        if str(hang).encode() in cmdline or b"sleep\x00599.25" in cmdline:
            left.append(cmdline)
    assert not left, f"the hung worker's process group outlived the run: {left}"


def test_default_workers_leave_a_core_to_the_coordinator_and_never_drop_to_zero():
    four = ["torch", "flax", "keras", "gluon"]
    assert [default_workers(four, c) for c in (1, 2, 4, 8, 16, 32)] == [1, 1, 1, 1, 3, 7]
    assert default_workers(["torch"], 16) == 15


def test_the_projection_to_more_cores_schedules_the_measured_requests():
    """Two backends, one start each; 4 equal requests on torch: 2 workers halve its work, cores permitting."""
    timing = {"torch": {"work_s": 4.0, "cpu_s": [[1.0, 4.0]]}, "gluon": {"work_s": 1.0, "cpu_s": [[1.0, 0.5]]}}
    blocks = {"torch": [1.0] * 4, "gluon": [1.0]}  # gluon's requests ran at half a core: 0.5 CPU s each
    assert bench.projected(blocks, timing, cores=64, workers=1) == 5.0  # torch: start 1 + 4
    assert bench.projected(blocks, timing, cores=64, workers=2) == 3.0  # torch: start 1 + 2
    assert bench.projected(blocks, timing, cores=1, workers=2) == 4.0 + 0.5 + 2 * (1.0 + 1.0)  # every CPU second


def test_a_block_run_again_gives_the_bits_of_a_new_worker(pool, tmp_path):
    """Keras's engines, flax and NNX keep a block's built model for its next request (their adapters' ``build``):
    every variable is put back as first built, the weights and statistics that a request loads anyway and
    dropout's seed state or rng count that none does. A block in training mode with dropout, run twice in the session's
    workers, gives the bits of new workers, outputs and gradients alike."""
    names, engines = ["dropout", "batch_norm"], ["keras", "keras_jax", "keras_torch", "flax", "flax_nnx"]
    with Pool(engines, tmp_path / "new") as new:
        compare_backends(new, names, engines, dump=tmp_path / "alone")
    for k in range(2):
        compare_backends(pool, names, engines, dump=tmp_path / f"again{k}")
    files = sorted(p.relative_to(tmp_path / "alone") for p in (tmp_path / "alone").rglob("*.npz")
                   if p.name.split(".")[0] in engines)
    assert {(f.parts[0], f.name.split(".")[0]) for f in files if ".train." in f.name} == \
        {(n, b) for n in names for b in engines}, files
    for f in files:
        want = load_arrays(tmp_path / "alone" / f)
        for k in range(2):
            got = load_arrays(tmp_path / f"again{k}" / f)
            assert got.keys() == want.keys() and all(np.array_equal(got[a], want[a]) for a in want), (f, k)


def test_a_worker_that_fails_beside_a_ready_one_does_not_show_its_backend_failed():
    """With several workers per backend (--workers), one that fails to start leaves the others serving: the
    progress says so, instead of showing the whole backend failed."""
    import io

    from harness.progress import Progress

    stream = io.StringIO()
    progress = Progress(["torch"], {"torch": 2}, stream=stream)
    progress("torch", "ready", {"import_s": 1.25})
    progress("torch", "failed", "did not start within 120 s")
    assert progress.state["torch"] == "ready after 1.2 s; a worker failed: did not start within 120 s"
    alone = Progress(["torch"], {"torch": 2}, stream=io.StringIO())
    alone("torch", "failed", "did not start within 120 s")
    assert alone.state["torch"] == "failed: did not start within 120 s"
    assert stream.getvalue().splitlines()[-1].endswith("torch: ready after 1.2 s; a worker failed: did not start "
                                                       "within 120 s"), stream.getvalue()
