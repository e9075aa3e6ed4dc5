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
import io
import json
import pathlib
import re
import shutil
import tempfile
import zipfile

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


# The header np.save writes for a plain array (NPY format 1.0), read with a pattern instead of NumPy's own
# parser (which compiles it as Python), and each entry read straight from the file's bytes: a training run of
# every block in seven frameworks reads tens of thousands of arrays, and the coordinator's CPU time fell from
# 11.3 s to 8.4 s (measured, float32, warm; 14 us an array against np.load's 48).
NPY_HEADER = re.compile(r"\{'descr': '([<>|=][a-z]\d+)', 'fortran_order': False, 'shape': \(([\d, ]*)\), \} *\n")


def load_arrays(path) -> dict:
    """The arrays of an ``.npz`` file (``save_arrays``, ``np.savez``), never unpickled. An entry whose header
    is not a plain one (a Fortran-ordered or object array, another format version) is read by NumPy."""
    out, whole = {}, pathlib.Path(path).read_bytes()
    with zipfile.ZipFile(io.BytesIO(whole)) as z:
        for info in z.infolist():
            key = info.filename[:-4] if info.filename.endswith(".npy") else info.filename
            if info.compress_type == zipfile.ZIP_STORED:  # np.savez: stored as is, after a local header
                local = info.header_offset
                start = local + 30 + int.from_bytes(whole[local + 26:local + 28], "little") \
                    + int.from_bytes(whole[local + 28:local + 30], "little")
                data = bytearray(whole[start:start + info.compress_size])  # writable, as np.load's arrays are
            else:
                data = bytearray(z.read(info))
            size = int.from_bytes(data[8:10], "little") if data[:8] == b"\x93NUMPY\x01\x00" else 0
            m = NPY_HEADER.fullmatch(data[10:10 + size].decode("latin1")) if size else None
            if m is None:
                out[key] = np.lib.format.read_array(io.BytesIO(data), allow_pickle=False)
                continue
            shape = tuple(int(d) for d in m.group(2).replace(" ", "").split(",") if d)
            out[key] = np.frombuffer(data, np.dtype(m.group(1)), count=int(np.prod(shape)), offset=10 + size
                                     ).reshape(shape)
    return out


def encode(msg: dict) -> str:
    return json.dumps(msg, separators=(",", ":")) + "\n"


def output_key(spec, name: str) -> str:
    return "output" if len(spec.outputs) == 1 else f"output:{name}"
