"""One run's set-up and its ending, written once for every command that starts workers.

``session(...)`` is the set-up: a temporary folder (arrays, the workers' private folders), a folder of logs
that outlives the run, the ``Pool`` of workers and the progress display; on any way out (a normal end, an
exception, a signal) the workers' process groups are ended and the temporary folder is removed.

Signals: SIGINT, SIGTERM and SIGHUP, received any number of times, interrupt the run the same way: every
worker is killed at once, the requests not yet answered become ``interrupted`` (``Pool.interrupt``), and
the command reports the rows that finished (table and JSON), an ``interrupted`` line, and exits with
128 + the signal's number (130, 143, 129). A row whose replies arrived before the signal has finished: it
is checked and reported whatever signals follow.
Outside a session a signal ends the command at once, with the same line and status.

``finish(run, args, s)`` is the ending: the JSON first (so a failure to print cannot lose it), then the
table, then what a required backend or an interruption has to say; it returns the exit status.
"""

from __future__ import annotations

import contextlib
import dataclasses
import os
import pathlib
import shutil
import signal
import sys
import tempfile
import time

from harness import report

CAUGHT = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)
KEEP_LOGS = 20  # runs whose logs are kept under the log folder; older ones are removed
ROOT = pathlib.Path(__file__).resolve().parents[2]


class Interrupted(Exception):
    def __init__(self, signum: int):
        super().__init__(signal.Signals(signum).name)
        self.signum = signum


class Signals:
    """The command's signal handling: installed by ``main`` for the whole command."""

    def __init__(self):
        self.received: int | None = None
        self.pool = None
        self.defer = False  # in a session: record and stop the workers; the command ends the run itself
        self.previous: dict = {}

    def install(self) -> None:
        self.__init__()
        for s in CAUGHT:
            try:
                self.previous[s] = signal.signal(s, self.handle)
            except ValueError:  # not the main thread (main() called from a test's thread): leave them
                return

    def restore(self) -> None:
        for s, h in self.previous.items():
            signal.signal(s, h)
        self.previous.clear()

    def handle(self, signum, frame) -> None:
        if self.received is None:
            self.received = signum
        if self.pool is not None:
            self.pool.interrupt(signum)
        if not self.defer:
            raise Interrupted(signum)


SIGNALS = Signals()


def interrupted_line(signum: int) -> str:
    return f"interrupted by {signal.Signals(signum).name}: the rows above are those that finished"


def exit_status(signum: int) -> int:
    return 128 + signum


def log_root() -> pathlib.Path:
    return pathlib.Path(os.environ.get("BLOCKPARITY_LOG_DIR") or ROOT / ".cache" / "blockparity" / "logs")


def new_log_dir() -> pathlib.Path | None:
    """``<log root>/<date>-<time>-<pid>``, keeping the newest ``KEEP_LOGS`` runs; None if it cannot be made."""
    root = log_root()
    try:
        root.mkdir(parents=True, exist_ok=True)
        d = root / time.strftime(f"%Y%m%d-%H%M%S-{os.getpid()}")
        d.mkdir()
        runs = sorted((p for p in root.iterdir() if p.is_dir()), key=lambda p: p.stat().st_mtime)
        for old in runs[:-KEEP_LOGS]:
            shutil.rmtree(old, ignore_errors=True)
        return d
    except OSError:
        return None


@dataclasses.dataclass
class Session:
    pool: object
    progress: object
    work: pathlib.Path
    logs: pathlib.Path
    kept: bool  # the logs outlive the run

    @property
    def interrupted(self) -> int | None:
        return SIGNALS.received


TEMP_PREFIX = "blockparity-run-"  # + the coordinator's pid: whose folder it is


def sweep_orphans() -> list:
    """Remove the temporary folders of runs whose coordinator is gone: one killed outright (SIGKILL, the
    machine's OOM killer) could not clean up after itself. A folder of a live process is left alone."""
    removed = []
    for path in pathlib.Path(tempfile.gettempdir()).glob(f"{TEMP_PREFIX}*-*"):
        pid = path.name[len(TEMP_PREFIX):].split("-")[0]
        if not pid.isdigit() or pathlib.Path(f"/proc/{pid}").exists():
            continue
        shutil.rmtree(path, ignore_errors=True)
        removed.append(path)
    return removed


@contextlib.contextmanager
def session(backend_names, timeout: float, totals: dict, quiet: bool, names=None, workers=None):
    """Temporary folder + log folder + Pool + Progress, and their cleanup on every way out. ``names``: the
    blocks the run compares; a block whose reference is a realisation (``reference="torch"``) needs that
    backend's worker even when it is not a column of the run."""
    from harness import realised
    from harness.run import resolve_names

    if names is not None:
        backend_names = list(backend_names) + sorted(realised.needs(resolve_names(names)) - set(backend_names))
    from harness.pool import Pool, default_workers
    from harness.progress import Progress

    SIGNALS.defer = True
    sweep_orphans()
    work = pathlib.Path(tempfile.mkdtemp(prefix=f"{TEMP_PREFIX}{os.getpid()}-"))
    try:
        logs = new_log_dir()
        kept = logs is not None
        logs = logs or work / "logs"
        progress = Progress(backend_names, totals, enabled=not quiet)
        pool = Pool(backend_names, logs, start_timeout=timeout, timeout=timeout, work_dir=work,
                    workers=workers or default_workers(backend_names))
        SIGNALS.pool = pool
        if SIGNALS.received:  # arrived while the workers were being started
            pool.interrupt(SIGNALS.received)
        try:
            yield Session(pool, progress, work, logs, kept)
        finally:
            progress.clear()
            pool.close()
            SIGNALS.pool = None
    finally:
        shutil.rmtree(work, ignore_errors=True)


def out(text: str, stream=None) -> None:
    """Print, surviving a terminal that is gone (SIGHUP) or a closed pipe."""
    stream = stream or sys.stdout
    try:
        print(text, file=stream, flush=True)
    except OSError:
        pass


def annotate(run, args, s: Session) -> None:
    """What the report says beyond the results: the environment, logs, interruption, required backends."""
    run.results = [r for r in run.results if r.status != "interrupted"]
    report.sanitize(run)
    run.environment = s.pool.environment()
    run.logs = {b: str(w.log_path) for b, w in s.pool.workers.items()} if s.kept else {}
    run.interrupted = signal.Signals(s.interrupted).name if s.interrupted else None
    run.verbose = getattr(args, "verbose", False)
    run.required_missing = [] if s.interrupted else [
        f"required backend {b} did not run: {s.pool.workers[b].reason or 'it never started'}"
        for b in getattr(args, "require", []) if not s.pool.workers[b].ever_ready]


def finish(run, args, s: Session, render=None) -> int:
    """Write the JSON, print the table (``render(run, color)``, default ``report.table``); the exit status."""
    annotate(run, args, s)
    if getattr(args, "json", None):
        report.write_json(run, args.json)
    render = render or report.table
    out(render(run, report.use_color(no_color=getattr(args, "no_color", False))))
    if s.interrupted:
        out(interrupted_line(s.interrupted), sys.stderr)
        return exit_status(s.interrupted)
    return 0 if report.verdict(run) == "OK" else 1
