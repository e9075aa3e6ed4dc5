"""Interrupting a run: any signal, any number of times, ends it with the rows that finished, an
``interrupted`` line and 128 + the signal's number; no worker outlives it and no temporary file is left.

The run is real: ``train mlp resnet`` with 1000 steps in PyTorch, interrupted once the MLP's row has
finished, while the worker is busy on ResNet's steps (minutes of work).
"""

import json
import os
import signal
import subprocess
import sys
import time

import pytest

from harness.pool import ROOT


def children(pid: int) -> list[int]:
    """The processes whose parent is ``pid`` (the workers of a coordinator)."""
    out = []
    for d in os.listdir("/proc"):
        if d.isdigit():
            try:
                with open(f"/proc/{d}/stat") as f:
                    fields = f.read().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == pid:
                out.append(int(d))
    return out


def alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


def start_busy_run(tmp_path):
    """A coordinator whose MLP row has finished and whose worker is busy: (process, worker pids, json path)."""
    (tmp_path / "tmp").mkdir()
    env = {**os.environ, "TMPDIR": str(tmp_path / "tmp"), "BLOCKPARITY_LOG_DIR": str(tmp_path / "logs")}
    out = tmp_path / "r.json"
    proc = subprocess.Popen([sys.executable, "compare.py", "train", "mlp", "resnet", "--optimizer", "sgd",
                             "--steps", "1000", "--backends", "torch", "--json", str(out)], cwd=ROOT, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    seen = []
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline:  # the progress lines (stderr is not a terminal)
        line = proc.stderr.readline()
        seen.append(line)
        if "torch: mlp ok (1/2)" in line or not line:
            break
    assert "torch: mlp ok (1/2)" in seen[-1], "".join(seen)
    workers = children(proc.pid)
    assert workers, "no worker found"
    return proc, workers, out


CASES = [pytest.param((signal.SIGINT,), 130, id="SIGINT"), pytest.param((signal.SIGINT, signal.SIGINT), 130,
         id="SIGINT-twice"), pytest.param((signal.SIGTERM,), 143, id="SIGTERM"),
         pytest.param((signal.SIGHUP,), 129, id="SIGHUP"), pytest.param((signal.SIGTERM, signal.SIGINT,
         signal.SIGHUP), 143, id="three-signals")]


@pytest.mark.parametrize("signals, status", CASES)
def test_a_signal_reports_what_finished_and_leaves_nothing_behind(tmp_path, signals, status):
    proc, workers, out = start_busy_run(tmp_path)
    for s in signals:
        proc.send_signal(s)
        time.sleep(0.05)
    stdout, stderr = proc.communicate(timeout=120)
    assert proc.returncode == status, stdout + stderr
    name = signal.Signals(signals[0]).name
    assert f"interrupted by {name}" in stderr and "Traceback" not in stderr, stderr
    assert "mlp · sgd" in stdout and "resnet" not in stdout and "INTERRUPTED:" in stdout, stdout
    doc = json.loads(out.read_text())
    assert doc["interrupted"] == name and [(r["spec"], r["status"]) for r in doc["results"]] == [("mlp", "pass")]
    time.sleep(0.5)
    assert not [w for w in workers if alive(w)], "a worker outlived the run"
    assert not list((tmp_path / "tmp").iterdir()), "temporary files left behind"


def test_workers_die_with_a_coordinator_killed_outright(tmp_path):
    proc, workers, _ = start_busy_run(tmp_path)
    proc.kill()  # SIGKILL: no handler runs; the workers must notice on their own
    proc.wait()
    deadline = time.monotonic() + 10
    while [w for w in workers if alive(w)] and time.monotonic() < deadline:
        time.sleep(0.2)
    assert not [w for w in workers if alive(w)], "a worker kept computing as an orphan"
    left = list((tmp_path / "tmp").iterdir())
    assert left, "the killed coordinator's folder should still be there (nothing could remove it)"
    # the next run sweeps the folders of coordinators that are gone, and leaves a live one's alone
    live = tmp_path / "tmp" / f"blockparity-run-{os.getpid()}-x"
    live.mkdir()
    env = {**os.environ, "TMPDIR": str(tmp_path / "tmp"), "BLOCKPARITY_LOG_DIR": str(tmp_path / "logs")}
    subprocess.run([sys.executable, "compare.py", "mlp", "--backends", "torch", "--quiet"], cwd=ROOT, env=env,
                   capture_output=True, timeout=300, check=True)
    assert list((tmp_path / "tmp").iterdir()) == [live]
