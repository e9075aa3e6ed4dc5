"""``python compare.py bench``: how long a whole comparison takes, next to what it cannot avoid.

Each repetition runs ``compare.py`` as a fresh process, exactly as ``make compare`` does (new workers,
warm caches), and reads the timing it records. The floor of a run is its slowest worker: that worker's
own start (process spawn to framework imported) plus its own work on every block. The target is a whole
run within 1.5x that floor; the ratio is what docs/benchmark.md quotes.
"""

from __future__ import annotations

import json
import pathlib
import statistics
import subprocess
import sys
import tempfile
import time

from harness.pool import ROOT


def run(names, repeat: int, dtype: str) -> int:
    """Time ``repeat`` runs of ``compare.py names`` after a warm-up; print the table; the exit status."""
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for i in range(repeat + 1):  # the first run warms caches and is not counted
            out = f"{tmp}/run{i}.json"
            t0 = time.perf_counter()
            proc = subprocess.Popen([sys.executable, "compare.py", *names, "--dtype", dtype, "--quiet",
                                     "--json", out], cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                    text=True)
            try:
                _, err = proc.communicate()
            except BaseException:  # interrupted: the run reports what it has, removes its workers and files
                proc.terminate()
                try:
                    proc.wait(timeout=30)
                except subprocess.TimeoutExpired:
                    proc.kill()
                raise
            wall = time.perf_counter() - t0
            if proc.returncode not in (0, 1):
                print((err.strip().splitlines() or [f"compare.py exited with {proc.returncode}"])[-1],
                      file=sys.stderr)
                return 2
            if i:
                rows.append((wall, json.loads(pathlib.Path(out).read_text(encoding="ascii"))["timing"]["workers"]))
    walls = [w for w, _ in rows]
    med = statistics.median(walls)
    median_row = min(rows, key=lambda r: abs(r[0] - med))[1]
    print(f"{len(rows)} warm runs of `compare.py {' '.join(names) or '(all blocks)'} --dtype {dtype}`")
    print(f"whole run (process start to exit): median {med:.2f} s, min {min(walls):.2f} s, max {max(walls):.2f} s")
    print(f"{'backend':<8}{'start':>8}{'import':>8}{'work':>8}{'start+work':>12}   (median run, seconds)")
    floor = 0.0
    for b, t in median_row.items():
        own = t["start_s"] + t["work_s"]
        floor = max(floor, own)
        print(f"{b:<8}{t['start_s']:>8.2f}{t['import_s']:>8.2f}{t['work_s']:>8.2f}{own:>12.2f}")
    print(f"slowest worker's own start + work: {floor:.2f} s; whole run / that = {med / floor:.2f}x (target <= 1.5x)")
    return 0
