"""One backend's long-lived worker: ``python -m harness.worker <backend>``.

It imports its framework once, then serves every request of a run (see ``harness.protocol``). Each
request builds a fresh model from the backend's realisation (``backends/<fw>/<spec module>.py``), so one
spec cannot leak state into the next. Errors in a request are answered, not raised: the worker stays up.
"""

from __future__ import annotations

import importlib
import importlib.util
import os
import sys
import time
import traceback


def _one_line(exc: BaseException) -> str:
    text = f"{type(exc).__name__}: {exc}".strip().replace("\n", " ")
    return text if len(text) <= 400 else text[:397] + "..."


def die_with_parent() -> None:
    """End this worker when the coordinator ends, however it ends (even SIGKILL): a worker busy on a long
    request would otherwise keep computing as an orphan. Linux: the kernel's parent-death signal; elsewhere
    (and for a parent gone before that was set) a thread that watches the parent's pid."""
    parent = int(os.environ.get("BLOCKPARITY_COORDINATOR_PID", "0"))
    if not parent:
        return
    if sys.platform.startswith("linux"):
        try:
            import ctypes
            import signal

            libc = ctypes.CDLL(None, use_errno=True)
            libc.prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
        except (OSError, AttributeError):
            pass

    first = os.getppid()  # the coordinator, or a wrapper script between them

    def alive(pid):
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return False
        except PermissionError:
            pass
        return True

    def watch():
        while os.getppid() == first and alive(parent):
            time.sleep(0.5)
        os._exit(70)

    import threading

    threading.Thread(target=watch, name="parent-watch", daemon=True).start()


def realisation(backend: str, spec, variant):
    """The class or function that realises ``spec`` (or its ``variant``) in ``backend``."""
    import backends

    model = (variant.model if variant else None) or spec.model
    package = f"backends.{backends.realisations(backend)}"
    path = f"{package.replace('.', '/')}/{spec.module}.py"
    try:
        if spec.origin:  # a user's block: their file, imported by path (harness.userblocks)
            from harness import userblocks

            module = userblocks.import_realisation(spec, backend)
            path = str(userblocks.realisation_path(spec, backend))
        else:
            module = importlib.import_module(f"{package}.{spec.module}")
    except ModuleNotFoundError as e:
        if e.name == f"{package}.{spec.module}":
            raise LookupError(f"not realised: {path} does not exist") from None
        raise
    if not hasattr(module, model):
        raise LookupError(f"not realised: {path} defines no {model!r}")
    return getattr(module, model)


def main(backend: str) -> None:
    from harness.protocol import encode, load_arrays, save_arrays

    die_with_parent()
    proto = os.fdopen(os.dup(1), "w", buffering=1)
    os.dup2(2, 1)  # C libraries and print() must never write into the protocol stream
    sys.stdout = sys.stderr

    def send(**msg):
        proto.write(encode(msg))
        proto.flush()

    start = time.perf_counter()
    info = importlib.import_module(f"backends.{backend}")
    missing = [m for m in info.REQUIRES if importlib.util.find_spec(m) is None]
    if missing:
        send(event="unavailable", reason=f"{', '.join(missing)} not installed for {sys.executable}")
        return
    try:
        adapter = importlib.import_module(f"backends.{backend}.adapter").Adapter()
    except Exception as e:  # a framework that is installed but does not import is an error, not a skip
        traceback.print_exc()
        send(event="failed", reason=f"{backend} did not import: {_one_line(e)}", detail=traceback.format_exc())
        return
    send(event="ready", backend=backend, version=adapter.version(), pid=os.getpid(),
         import_s=round(time.perf_counter() - start, 3), cpu_s=round(time.process_time(), 3))

    import json

    import specs
    from harness.adapter import Request

    for line in sys.stdin:
        req = json.loads(line)
        if req["op"] == "quit":
            break
        t0, c0 = time.perf_counter(), time.process_time()
        try:
            spec, variant = specs.resolve(req["spec"])
            factory = realisation(backend, spec, variant)
            request = Request.from_message(req, spec, variant, factory, load_arrays(req["arrays"]))
            if req["op"] == "train":
                from harness.training import run_training

                result = run_training(adapter, request)
            elif req["op"] == "native":  # --native: the user's own weights file (harness.native)
                from harness.native import serve

                result = serve(adapter, backend, request, req)
            elif req["op"] == "losses":  # a realisation that is the reference (harness.realised)
                from harness.realised import losses

                result = losses(adapter, request, req)
            elif req["op"] == "init":  # the realisation's own initial values (harness.init)
                result = adapter.initial(request)
            else:
                result = adapter.run(request)
            save_arrays(req["out"], result.arrays)
            send(event="done", id=req["id"], ok=True, seconds=round(time.perf_counter() - t0, 4),
                 cpu_s=round(time.process_time() - c0, 4), native_params=result.native_params)
        except Exception as e:
            print(f"--- {req['op']} {req['spec']} ({req.get('mode', '')}, {req.get('dtype')}) failed:\n"
                  f"{traceback.format_exc()}", file=sys.stderr, flush=True)  # the run's log keeps it
            send(event="done", id=req["id"], ok=False, error=_one_line(e), detail=traceback.format_exc(),
                 seconds=round(time.perf_counter() - t0, 4), cpu_s=round(time.process_time() - c0, 4))
    # Done: leave without the interpreter's teardown, in which TensorFlow, JAX and PyTorch spend up to
    # seconds on atexit handlers and freeing memory that the process's end frees anyway.
    # What is still buffered goes to the log first: Python's streams, and C's stdio (a C library's printf).
    proto.close()
    sys.stderr.flush()
    try:
        import ctypes

        ctypes.CDLL(None).fflush(None)
    except (OSError, AttributeError):
        pass
    os._exit(0)


if __name__ == "__main__":
    main(sys.argv[1])
