"""What crosses the process boundary: JSON lines for messages, ``.npz`` files for arrays, never pickle.

Coordinator -> worker (stdin), one JSON object per line:
    {"op": "run", "id": 7, "spec": "mlp", "variant": null, "dtype": "float32", "mode": "eval", "seed": 0,
     "arrays": "/tmp/.../mlp.float32.npz", "out": "/tmp/.../mlp.float32.flax.npz", "taps": false}
    {"op": "train", "id": 8, "spec": "mlp", "dtype": "float32", "mode": "eval", "seed": 0,
     "optimizer": "adam", "steps": 3, "trap": null, "arrays": "...", "out": "..."}    (harness.optim)
    {"op": "native", "id": 9, "spec": "lenet", "dtype": "float32", "mode": "eval", "seed": 0,
     "native": "/abs/path/model.weights.h5", "arrays": "...", "out": "..."}       (harness.native)
    {"op": "quit"}
Worker -> coordinator (its original stdout; everything the frameworks print goes to stderr):
    {"event": "ready", "backend": "flax", "version": "0.12.8", "import_s": 1.9, "pid": 123}
    {"event": "unavailable", "reason": "..."}          the framework is not installed: rows are `skipped`
    {"event": "failed", "reason": "...", "detail": "..."}  the adapter did not import: rows are `error`
    {"event": "done", "id": 7, "ok": true, "seconds": 0.12, "native_params": [...]}
    {"event": "done", "id": 7, "ok": false, "error": "one line", "detail": "traceback"}

Array keys in the request file: ``input:<name>``, ``param:<name>``, ``const:<name>``, ``state:<buffer>``,
``cotangent:<output>`` (``target:<output>`` for "train").
Keys in the reply file: ``output`` (or ``output:<name>`` for several outputs), ``grad:input`` (or
``grad:input:<name>``), ``grad:<param>``, ``tap:<name>``, ``state:<buffer>`` (after the forward and
backward pass); for "train", per step k: ``step<k>:loss``, ``step<k>:grad:<param>``, ``step<k>:<param>``,
``step<k>:state:<buffer>``, ``step<k>:<optimizer state>:<param>``. All in canonical layout. A gradient the
framework did not produce (None) is simply absent.
"""

from __future__ import annotations

import contextlib
import json
import pathlib
import shutil
import tempfile

import numpy as np


@contextlib.contextmanager
def work_folder(given, prefix: str):
    """The folder a run's request and reply files go in: ``given`` (a caller's, the CLI session's, kept),
    or a temporary one of the run's own, removed when the run ends however it ends."""
    if given is not None:
        yield pathlib.Path(given)
        return
    own = pathlib.Path(tempfile.mkdtemp(prefix=prefix))
    try:
        yield own
    finally:
        shutil.rmtree(own, ignore_errors=True)


def save_arrays(path, arrays: dict) -> None:
    arrays = {k: np.asarray(v) for k, v in arrays.items()}
    bad = [f"{k} ({type(v.flat[0]).__name__ if v.size else 'empty'})" for k, v in arrays.items() if v.dtype == object]
    if bad:  # np.savez would pickle them, and the reader (allow_pickle=False) could not load the file
        raise TypeError(f"not plain numeric arrays: {', '.join(bad)}")
    np.savez(path, **arrays)


def load_arrays(path) -> dict:
    with np.load(path, allow_pickle=False) as f:
        return {k: f[k] for k in f.files}


def encode(msg: dict) -> str:
    return json.dumps(msg, separators=(",", ":")) + "\n"


def output_key(spec, name: str) -> str:
    return "output" if len(spec.outputs) == 1 else f"output:{name}"
