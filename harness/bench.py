"""``python compare.py bench``: how long a whole comparison takes, next to what no run can avoid.

Each repetition runs ``compare.py`` as a fresh process, exactly as ``make compare`` does (new workers, warm
caches), and, in the same sitting, the floor: the frameworks' own start-up and one small model's forward and
gradients, as bare framework programs (``tests/conventions/startup/startup_<fw>.py``, the scripts the
framework conventions time), all at once as a run starts its workers. The target is a whole run within 2x
that floor. The table then says where the rest goes: each backend's start, its seconds per block, the
blocks that cost most, and what the measured requests would take on a machine with more cores (``--workers``).
"""

from __future__ import annotations

import json
import pathlib
import platform
import statistics
import subprocess
import sys
import tempfile
import time

import backends
from harness.pool import ROOT, default_workers, interpreter, machine_cores, worker_environ

STARTUP = ROOT / "tests" / "conventions" / "startup"
TARGET = 2.0


def cpu_model() -> str:
    """The processor's name (Linux: /proc/cpuinfo's), so that a measurement says which machine made it."""
    try:
        for line in pathlib.Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def floor_scripts(names) -> dict:
    """backend -> the bare framework program that is its start-up floor (those that have one)."""
    return {b: STARTUP / f"startup_{b}.py" for b in names if (STARTUP / f"startup_{b}.py").exists()}


def time_floor(scripts: dict, tmp: str) -> float:
    """Seconds until the last of the start-up programs, started together, each in its backend's worker
    environment (its interpreter, one thread, JAX on the CPU), has finished."""
    envs = {}
    for b in scripts:
        private = pathlib.Path(tmp, f"{b}.floor")
        (private / "tmp").mkdir(parents=True, exist_ok=True)
        envs[b] = worker_environ(b, private)[0]
    t0 = time.perf_counter()
    procs = {b: subprocess.Popen([str(interpreter(b)), str(path)], cwd=STARTUP, env=envs[b],
                                 stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
             for b, path in scripts.items()}
    try:
        for b, proc in procs.items():
            _, err = proc.communicate()
            if proc.returncode:
                raise RuntimeError(f"{scripts[b].name} failed: {(err.strip().splitlines() or ['?'])[-1]}")
    finally:
        for proc in procs.values():
            if proc.poll() is None:
                proc.kill()
                proc.wait()
    return time.perf_counter() - t0


def time_run(names, dtype: str, out: str, workers: int | None, chosen: list | None) -> float:
    t0 = time.perf_counter()
    extra = (["--workers", str(workers)] if workers else []) + (["--backends", ",".join(chosen)] if chosen else [])
    proc = subprocess.Popen([sys.executable, "compare.py", *names, "--dtype", dtype, "--quiet", "--json", out, *extra],
                            cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        _, err = proc.communicate()
    except BaseException:  # interrupted: the run reports what it has, removes its workers and files
        proc.terminate()
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
        raise
    if proc.returncode not in (0, 1):
        raise RuntimeError((err.strip().splitlines() or [f"compare.py exited with {proc.returncode}"])[-1])
    return time.perf_counter() - t0


def projected(blocks: dict, timing: dict, cores: int, workers: int) -> float:
    """The wall time of this run's measured requests on ``cores`` cores with ``workers`` per backend: each
    backend's blocks handed in order to whichever of its workers is free (as ``harness.pool`` does), each
    worker's work at the CPU speed it was measured at (its CPU seconds over its wall seconds: on a busy
    machine a request's wall time counts the time it waited for a core), started after that backend's start;
    and never less than all the CPU seconds spread over all the cores."""
    longest, cpu = 0.0, 0.0
    for b, t in timing.items():
        work_cpu = sum(w for _, w in t["cpu_s"])
        speed = work_cpu / t["work_s"] if t["work_s"] > 0 else 1.0  # CPU seconds per wall second of a request
        free = [0.0] * workers
        for seconds in blocks.get(b, []):
            i = free.index(min(free))
            free[i] += seconds * speed
        start_cpu = statistics.mean(i for i, _ in t["cpu_s"])
        longest = max(longest, start_cpu + max(free))
        cpu += start_cpu * workers + work_cpu
    return max(longest, cpu / cores)


def run(names, repeat: int, dtype: str, workers: int | None = None, chosen: list | None = None,
        blocks_shown: int = 8) -> int:
    """Time ``repeat`` runs of ``compare.py names`` (on the backends ``chosen``, default compare.py's) and of
    the start-up floor after a warm-up; print the table."""
    running = chosen or backends.defaults()
    scripts = floor_scripts(running)
    if not scripts:
        print(f"bench: no start-up program for {', '.join(running)} in {STARTUP.relative_to(ROOT)}", file=sys.stderr)
        return 2
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        try:
            for i in range(repeat + 1):  # the first round warms caches and is not counted
                out = f"{tmp}/run{i}.json"
                floor = time_floor(scripts, tmp)
                wall = time_run(names, dtype, out, workers, chosen)
                if i:
                    rows.append((wall, floor, json.loads(pathlib.Path(out).read_text(encoding="ascii"))))
        except RuntimeError as e:
            print(f"bench: {e}", file=sys.stderr)
            return 2
    walls, floors = [w for w, _, _ in rows], [f for _, f, _ in rows]
    med, floor = statistics.median(walls), statistics.median(floors)
    report = min(rows, key=lambda r: abs(r[0] - med))[2]
    timing = report["timing"]["workers"]
    per_block: dict = {}
    for r in report["results"]:
        if r["status"] != "skipped":
            per_block.setdefault(r["backend"], []).append(r["seconds"])
    n_blocks = len({r["spec"] for r in report["results"]})
    print(f"{len(rows)} warm runs of `compare.py {' '.join(names) or '(all blocks)'} --dtype {dtype}`, each beside "
          f"the start-up floor")
    print(f"machine: {cpu_model()}, {machine_cores()} cores")
    print(f"whole run (process start to exit): median {med:.2f} s, min {min(walls):.2f} s, max {max(walls):.2f} s")
    print(f"floor ({', '.join(p.name for p in scripts.values())} at once): median {floor:.2f} s, "
          f"min {min(floors):.2f} s, max {max(floors):.2f} s")
    if set(running) - set(scripts):
        print(f"(no start-up program for {', '.join(sorted(set(running) - set(scripts)))}: not in the floor)")
    print(f"whole run / floor = {med / floor:.2f}x (target <= {TARGET:g}x)")
    print(f"\n{'backend':<12}{'workers':>8}{'start':>7}{'import':>8}{'work':>7}{'blocks':>8}{'s/block':>9}"
          f"{'CPU s':>8}   (median run; work = the requests' wall seconds, CPU s = import + work)")
    for b, t in timing.items():
        n = len(per_block.get(b, []))
        cpu = sum(i + w for i, w in t["cpu_s"])
        print(f"{b:<12}{len(t['cpu_s']):>8}{t['start_s']:>7.2f}{t['import_s']:>8.2f}{t['work_s']:>7.2f}{n:>8}"
              f"{t['work_s'] / max(n, 1):>9.3f}{cpu:>8.2f}")
    costs: dict = {}
    for r in report["results"]:
        costs.setdefault(r["spec"], {})[r["backend"]] = r["seconds"]
    top = sorted(costs, key=lambda s: -sum(costs[s].values()))[:blocks_shown]
    print(f"\nthe {len(top)} costliest of {n_blocks} blocks (seconds of work, median run)")
    wide = {b: max(9, len(b) + 2) for b in timing}
    print(f"{'block':<28}" + "".join(f"{b:>{wide[b]}}" for b in timing))
    for s in top:
        print(f"{s:<28}" + "".join(f"{costs[s].get(b, 0.0):>{wide[b]}.2f}" for b in timing))
    here = machine_cores()
    print("\non more cores (this run's requests at their measured CPU speed, blocks in order to the free worker; "
          "the coordinator not counted)")
    print(f"{'cores':>6}{'workers':>9}{'projected wall':>16}{'vs 1 worker':>13}")
    for cores in sorted({here, 4, 8, 16, 32}):
        n = default_workers(list(timing), cores)
        one = projected(per_block, timing, cores, 1)
        many = projected(per_block, timing, cores, n)
        print(f"{cores:>6}{n:>9}{many:>15.2f}s{one / many:>12.2f}x")
    return 0
