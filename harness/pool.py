"""Long-lived backend workers, started concurrently, one per backend, serving every spec of a run.

A worker that is not installed gives ``skipped`` replies; one that fails to import, crashes or exceeds a
timeout gives ``error`` replies naming the reason, while the other workers' replies still arrive. After a
crash or a timeout the worker is restarted (at most ``MAX_RESTARTS`` times) for the requests left. An
interpreter that cannot be executed at all (a directory, not executable, not a program) is a ``failed``
worker too, never an exception that ends the run.

Each worker runs in its own session (its own process group, out of reach of the terminal's Ctrl-C) and
dies with the coordinator (``harness.worker.die_with_parent``). ``interrupt(signum)`` kills every worker's
process group at once and makes every request not yet answered, then and in later ``run`` calls, an
``interrupted`` reply, so that the caller can report what finished.

A worker's environment is the user's, with what changes what a framework computes pinned or removed:
``COMMON_ENVIRON`` below and each backend's ``ENVIRON`` (``backends/<fw>/__init__.py``). A key ending in
``*`` is a pattern; a value ``None`` removes the variable; ``{private}`` is a directory of that worker's
own, inside the run's temporary folder (its ``TMPDIR``, Keras's ``KERAS_HOME``). ``environment()`` says
what was pinned and which of the user's settings were overridden.
"""

from __future__ import annotations

import collections
import dataclasses
import fnmatch
import json
import os
import pathlib
import queue
import signal
import subprocess
import threading
import time

import backends

ROOT = pathlib.Path(__file__).resolve().parent.parent
MAX_RESTARTS = 2
# Each worker computes on one thread (unless the environment says otherwise): four workers and the
# coordinator already share the machine's cores, and an OpenMP pool whose threads wait for a busy core
# spins. Measured on 2 cores: PyTorch's work on all blocks 6.1 s with its default 2 threads, 0.8 s with 1.
SINGLE_THREADED = ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS")
COMMON_ENVIRON = {
    "PYTHONPATH": str(ROOT),  # the repository only: a user's PYTHONPATH could shadow a framework or NumPy
    "PYTHONHOME": None, "PYTHONSTARTUP": None, "PYTHONWARNINGS": None, "PYTHONNOUSERSITE": "1",
    "PYTHONHASHSEED": "0", "PYTHONUNBUFFERED": "1", "PYTHONUTF8": "1", "PYTHONIOENCODING": "utf-8",
    "TMPDIR": "{private}/tmp",  # what a framework puts in a temporary file goes with the run's folder
}


@dataclasses.dataclass
class Reply:
    status: str  # "ok" | "error" | "skipped"
    reason: str = ""
    detail: str = ""
    seconds: float = 0.0
    native_params: list = dataclasses.field(default_factory=list)


def worker_environ(backend: str, private, base=None) -> tuple[dict, dict]:
    """(the environment of ``backend``'s worker, {variable: (pinned value or None, the user's value)} for
    each of the user's settings that it overrides). ``private``: that worker's own directory."""
    base = dict(os.environ if base is None else base)
    declared = {**COMMON_ENVIRON, **getattr(backends.info(backend), "ENVIRON", {})}
    env = dict(base)
    for key in declared:
        if key.endswith("*"):
            for name in [n for n in env if fnmatch.fnmatchcase(n, key)]:
                del env[name]
    for key, value in declared.items():
        if key.endswith("*"):
            continue
        if value is None:
            env.pop(key, None)
        else:
            env[key] = value.replace("{private}", str(private))
    env["BLOCKPARITY_COORDINATOR_PID"] = str(os.getpid())  # the worker dies with it
    for k in SINGLE_THREADED:
        env[k] = base.get(k, "1")
    overridden = {k: (env.get(k), v) for k, v in base.items()
                  if env.get(k) != v and not k.startswith(("PYTHON", "BLOCKPARITY_", "TMPDIR"))}
    return env, overridden


def shown(key: str, value: str | None, private) -> str:
    if value is None:
        return f"{key} unset"
    return f"{key}={value.replace(str(private), '(private)')}" if value else f"{key}=''"


def interpreter(backend: str) -> pathlib.Path:
    env = backends.info(backend).ENV
    override = os.environ.get(f"BLOCKPARITY_PYTHON_{backend.upper()}")
    return pathlib.Path(override) if override else ROOT / env / "bin" / "python"


class Worker:
    def __init__(self, backend: str, log_dir: pathlib.Path, events: queue.Queue, private: pathlib.Path,
                 index: int = 0):
        self.backend, self.log_dir, self.events, self.private = backend, log_dir, events, private
        self.index = index  # its place in its backend's crew (0: the one every run has)
        self.detail = ""  # why it failed, in full (a traceback)
        self.ever_ready = False
        self.proc: subprocess.Popen | None = None
        self.state = "new"  # new -> starting -> ready | unavailable | failed; dead after a crash
        self.reason = ""
        self.version = ""
        self.import_s: float | None = None  # the worker's own measure: importing its framework
        self.start_s: float | None = None  # spawn to ready, seen from the coordinator
        self.import_cpu_s = 0.0  # CPU seconds it reported for importing its framework
        self.work_cpu_s = 0.0  # and for the requests it served
        self.served = 0  # requests it answered
        self.restarts = 0
        self.inflight: tuple | None = None  # (request id, deadline)
        self.generation = 0

    @property
    def name(self) -> str:
        return self.backend if self.index == 0 else f"{self.backend}.{self.index}"

    @property
    def log_path(self) -> pathlib.Path:
        return self.log_dir / f"{self.name}.log"

    def start(self) -> None:
        python = interpreter(self.backend)
        self.generation += 1
        if not python.exists():
            self.state, self.reason = "unavailable", (
                f"no interpreter {python.relative_to(ROOT) if python.is_relative_to(ROOT) else python} "
                f"(run `make compare` to build it)")
            return
        env, _ = worker_environ(self.backend, self.private)
        (self.private / "tmp").mkdir(parents=True, exist_ok=True)
        with open(self.log_path, "ab") as log:
            try:
                self.proc = subprocess.Popen([str(python), "-m", "harness.worker", self.backend], cwd=ROOT,
                                             env=env, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=log,
                                             start_new_session=True)
            except OSError as e:  # a directory, not executable, not a program: this backend fails, not the run
                self.proc, self.state = None, "failed"
                self.reason = f"cannot run the interpreter {python}: {e.strerror or e}"
                return
        self.state, self.started_at = "starting", time.monotonic()
        gen = self.generation
        threading.Thread(target=self._read, args=(self.proc, gen), daemon=True).start()

    def _read(self, proc, gen) -> None:
        for line in proc.stdout:
            try:
                msg = json.loads(line)
            except json.JSONDecodeError:
                continue
            self.events.put((self, gen, msg, time.monotonic()))
        proc.wait()
        self.events.put((self, gen, {"event": "exit", "code": proc.returncode}, time.monotonic()))

    def send(self, msg: dict) -> None:
        self.proc.stdin.write((json.dumps(msg) + "\n").encode())
        self.proc.stdin.flush()

    def kill(self, wait: bool = True) -> None:
        """SIGKILL the worker's process group (whatever it started too); ``wait`` to reap it."""
        if self.proc and self.proc.returncode is None:
            try:
                os.killpg(self.proc.pid, signal.SIGKILL)
            except (ProcessLookupError, PermissionError):
                pass
            if wait:
                self.proc.wait()

    def stderr_tail(self, lines: int = 6) -> str:
        try:
            text = self.log_path.read_text(errors="replace").strip().splitlines()
        except OSError:
            return ""
        return "\n".join(text[-lines:])


def _exit_reason(code) -> str:
    if code is not None and code < 0:
        try:
            return f"killed by {signal.Signals(-code).name}"
        except ValueError:
            return f"killed by signal {-code}"
    return f"exit code {code}"


def machine_cores() -> int:
    """The cores this process may run on."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        return os.cpu_count() or 1


def default_workers(names, cores: int | None = None) -> int:
    """Workers per backend when the user does not say (``--workers``): as many as the cores (default: this
    process's) let each backend have one of its own (the coordinator's checks use a core too), at least one.
    On 2 cores with four backends: one each, as always; on 16 cores: three each."""
    n = machine_cores() if cores is None else cores
    return max(1, (n - 1) // max(1, len(names)))


class Pool:
    """Start with ``Pool(backends, log_dir)``; then ``run(jobs)`` as often as needed; ``close()`` at the end.

    ``workers``: how many worker processes each backend may use (its crew). The first starts at once;
    the others when a run hands that backend more than one request, and they take the requests left in
    turn. Each worker computes on one thread, so a request's arrays are the same bits whichever worker
    serves it: a run's results do not depend on how many there are (tests/test_workers.py)."""

    def __init__(self, names: list, log_dir, start_timeout: float = 300.0, timeout: float = 120.0, work_dir=None,
                 workers: int = 1):
        """``log_dir``: the workers' logs (``<backend>.log``, ``<backend>.<k>.log``); ``work_dir``: where their
        private directories go (default ``log_dir``)."""
        self.log_dir = pathlib.Path(log_dir)
        self.log_dir.mkdir(parents=True, exist_ok=True)
        self.work_dir = pathlib.Path(work_dir or log_dir)
        self.start_timeout, self.timeout = start_timeout, timeout
        self.size = max(1, int(workers))
        self.interrupted: int | None = None  # the signal that interrupted the run
        self.events: queue.Queue = queue.Queue()
        self.crews = {b: [self._worker(b, 0)] for b in names}
        # the first worker of each backend stands for it: its version, why it cannot run
        self.workers = {b: crew[0] for b, crew in self.crews.items()}
        self._ids = iter(range(1, 1 << 62))
        for w in self.workers.values():  # all at once: the imports overlap
            w.start()

    def _worker(self, b: str, index: int) -> Worker:
        private = self.work_dir / (f"{b}.private" if index == 0 else f"{b}.{index}.private")
        return Worker(b, self.log_dir, self.events, private, index)

    def _all(self):
        return [w for crew in self.crews.values() for w in crew]

    def _grow(self, b: str, wanted: int) -> None:
        """Start more workers for ``b`` (up to the pool's size), unless its first cannot run at all."""
        crew = self.crews[b]
        if crew[0].state in ("unavailable", "failed"):
            return
        while len(crew) < min(self.size, wanted):
            crew.append(self._worker(b, len(crew)))
            crew[-1].start()

    # -- state ------------------------------------------------------------------------------------------
    def versions(self) -> dict:
        return {b: w.version for b, w in self.workers.items() if w.version}

    def cpu_seconds(self) -> dict:
        """backend -> [[CPU seconds importing, CPU seconds serving requests] of each of its workers so far]."""
        return {b: [[round(w.import_cpu_s, 3), round(w.work_cpu_s, 3)] for w in crew] for b, crew in self.crews.items()}

    def wait_ready(self, on_event=None, workers: int = 1) -> None:
        """Block until every backend's first worker is ready, unavailable or failed; with ``workers``, start
        that many of each backend (up to the pool's size) first and wait for all of them."""
        for b in self.crews:
            self._grow(b, workers)
        self.run({}, on_event, every_worker=True)

    def environment(self) -> dict:
        """backend -> {"pinned": [what its worker's environment sets or removes], "overridden": {variable:
        [pinned value or None, the user's value]}}."""
        out = {}
        for b, w in self.workers.items():
            declared = {**COMMON_ENVIRON, **getattr(backends.info(b), "ENVIRON", {})}
            _, overridden = worker_environ(b, w.private)
            pinned = [f"{k} unset" if v is None else shown(k, v, "{private}") for k, v in declared.items()]
            out[b] = {"pinned": pinned, "overridden": {k: list(v) for k, v in overridden.items()}}
        return out

    def interrupt(self, signum: int) -> None:
        """Stop now (from a signal handler): kill every worker; requests not answered become ``interrupted``."""
        if self.interrupted is None:
            self.interrupted = signum
        for w in self._all():
            w.kill(wait=False)

    # -- running ----------------------------------------------------------------------------------------
    def run(self, jobs: dict, on_event=None, every_worker: bool = False) -> dict:
        """``jobs``: backend -> list of request dicts (without ``id``). Returns (backend, index) -> Reply.

        Each worker serves one request at a time, a backend's workers take its requests in order as they
        become free, and backends run concurrently. A run waits for every backend's first worker to start
        (``every_worker``: for every worker started), not for the others.
        """
        on_event = on_event or (lambda *a: None)
        todo = {b: collections.deque(enumerate(reqs)) for b, reqs in jobs.items()}
        replies: dict = {}
        ids: dict = {}  # request id -> (backend, index)
        for b in todo:
            if b not in self.workers:
                raise KeyError(f"no worker for backend {b!r}")
        for b, reqs in jobs.items():
            self._grow(b, len(reqs))

        def finish_all(b, status, reason, detail=""):
            while todo[b]:
                i, _ = todo[b].popleft()
                replies[(b, i)] = Reply(status, reason, detail)

        def dispatch(b):
            crew = self.crews[b]
            for w in crew:
                if w.inflight or not todo.get(b):
                    continue
                if w.state == "dead":
                    self._restart(w, on_event)
                if w.state == "ready":
                    i, req = todo[b].popleft()
                    rid = next(self._ids)
                    ids[rid] = (b, i)
                    w.inflight = (rid, time.monotonic() + self.timeout)
                    try:
                        w.send({"op": "run", **req, "id": rid})  # a request may name another op ("train")
                    except (BrokenPipeError, OSError):
                        pass  # the exit event will follow and handle it
                    on_event(b, "started", req)
            if todo.get(b) and all(w.state in ("unavailable", "failed") for w in crew):
                first = crew[0]  # the reason every run has: its first worker's
                finish_all(b, "skipped" if first.state == "unavailable" else "error", first.reason, first.detail)

        awaited = self._all() if every_worker else list(self.workers.values())

        def pending():
            return (any(todo[b] for b in todo) or any(w.inflight for w in self._all())
                    or any(w.state in ("new", "starting") for w in awaited))

        def stop():
            why = f"interrupted by {signal.Signals(self.interrupted).name}"
            for w in self._all():
                w.kill(wait=False)
                if w.inflight:
                    replies[ids.pop(w.inflight[0])] = Reply("interrupted", why)
                w.inflight = None
            for b in todo:
                finish_all(b, "interrupted", why)

        for b in self.workers:
            if not self.interrupted and b in todo:
                dispatch(b)
        last_tick = 0.0
        while pending():
            if self.interrupted:
                stop()
                break
            try:
                w, gen, msg, arrived = self.events.get(timeout=0.1)
            except queue.Empty:
                w = None
            if self.interrupted:  # the signal came while waiting: the worker's exit is the kill, not a crash
                stop()
                break
            now = time.monotonic()
            if now - last_tick >= 0.5:
                on_event(None, "tick", None)  # lets a progress display show time passing
                last_tick = now
            for x in self._all():  # deadlines
                if x.state == "starting" and now - x.started_at > self.start_timeout:
                    x.kill()
                    x.state, x.reason = "failed", f"did not start within {self.start_timeout:g} s"
                    x.detail = x.stderr_tail(30)
                    on_event(x.backend, "failed", x.reason)
                    if x.backend in todo:
                        dispatch(x.backend)
                elif x.inflight and now > x.inflight[1]:
                    self._lost(x, f"timed out after {self.timeout:g} s", todo, replies, ids, on_event)
                    dispatch(x.backend)
            if w is None:
                continue
            b = w.backend
            if gen != w.generation:
                continue  # an event from a process already replaced
            ev = msg.get("event")
            if ev == "ready":
                w.state, w.version, w.import_s = "ready", msg["version"], msg.get("import_s")
                w.import_cpu_s += msg.get("cpu_s", 0.0)
                w.ever_ready = True
                w.start_s = arrived - w.started_at  # when it said so, however busy the coordinator was
                on_event(b, "ready", msg)
            elif ev in ("unavailable", "failed"):
                w.state, w.reason, w.detail = ev, msg["reason"], msg.get("detail", "")
                on_event(b, ev, msg["reason"])
            elif ev == "done":
                key = ids.pop(msg["id"], None)
                if key is not None and w.inflight and w.inflight[0] == msg["id"]:
                    w.inflight = None
                    w.work_cpu_s += msg.get("cpu_s", 0.0)
                    w.served += 1
                    status = "ok" if msg["ok"] else "error"
                    replies[key] = Reply(status, msg.get("error", ""), msg.get("detail", ""),
                                         msg.get("seconds", 0.0), msg.get("native_params", []))
                    on_event(b, "done", replies[key])
            elif ev == "exit":
                if w.state == "starting":
                    tail = w.stderr_tail()
                    w.state = "failed"
                    w.reason = f"worker exited before it was ready ({_exit_reason(msg['code'])})" + (
                        f": {tail.splitlines()[-1]}" if tail else "")
                    w.detail = w.stderr_tail(30)
                    on_event(b, "failed", w.reason)
                elif w.state == "ready":
                    if w.inflight:
                        self._lost(w, f"worker crashed ({_exit_reason(msg['code'])})", todo, replies, ids, on_event)
                    else:
                        w.state, w.reason = "dead", f"worker exited ({_exit_reason(msg['code'])})"
                        if b in todo and todo[b]:
                            self._restart(w, on_event)
            if b in todo:
                dispatch(b)
        return replies

    def _lost(self, w: Worker, why: str, todo, replies, ids, on_event) -> None:
        """The in-flight request of ``w`` will never be answered: record it and restart the worker."""
        rid, _ = w.inflight
        w.inflight = None
        w.kill()
        tail = w.stderr_tail(30)
        key = ids.pop(rid, None)
        if key is not None:
            replies[key] = Reply("error", why, tail)
            on_event(w.backend, "done", replies[key])
        if todo.get(w.backend):
            self._restart(w, on_event)
        else:
            w.state, w.reason = "dead", why

    def _restart(self, w: Worker, on_event) -> None:
        if w.restarts >= MAX_RESTARTS:
            w.state, w.reason = "failed", f"{w.reason or 'worker lost'}; not restarted again ({MAX_RESTARTS} restarts)"
            return
        w.restarts += 1
        on_event(w.backend, "restart", w.restarts)
        w.start()

    def close(self) -> None:
        if self.interrupted:
            for w in self._all():
                w.kill()
            return
        for w in self._all():
            if w.proc and w.proc.poll() is None:
                try:
                    w.send({"op": "quit"})
                    w.proc.stdin.close()
                except (BrokenPipeError, OSError):
                    pass
        deadline = time.monotonic() + 5
        for w in self._all():
            if w.proc:
                try:
                    w.proc.wait(timeout=max(0.0, deadline - time.monotonic()))
                except subprocess.TimeoutExpired:
                    w.kill()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
