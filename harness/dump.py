"""``--dump DIR``: a run's arrays and its manifest, everything ``compare.py merge`` needs to judge it again.

Layout (canonical names and layouts, plain ``.npz``, no pickle)::

    DIR/manifest.json          what the run was: seed, dtype, blockparity version, each block's spec digest,
                               the user's files' digests, backends and versions, and what every worker said
                               (per block, backend and mode: ok with its seconds and native parameters, or
                               the status and reason of an error or a skip)
    DIR/<spec>/inputs.npz      the inputs (``x`` for a block with one input and one output) and cotangents
    DIR/<spec>/params.npz      parameters, constants and the state buffers before the pass
    DIR/<spec>/<backend>.npz   outputs, gradients, state after the pass and every tap (``tap:<name>``);
                               ``<backend>.<mode>.npz`` for a block with two modes

A dumped run always holds its taps, so that the first divergence of a failing output can be found from the
dump alone, on a machine without the framework. The manifest is written last: a folder without one is not a
finished run.
"""

from __future__ import annotations

import dataclasses
import hashlib
import inspect
import json
import pathlib
import re
import sys
import tomllib
import types

from harness.protocol import load_arrays, save_arrays

MANIFEST = "manifest.json"
FORMAT = 1  # of the manifest; a merge refuses another
ROOT = pathlib.Path(__file__).resolve().parent.parent


def blockparity_version() -> str:
    with open(ROOT / "pyproject.toml", "rb") as f:
        return tomllib.load(f)["project"]["version"]


def file_digest(path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def _plain(value):
    """A JSON-able, address-free form of a registry entry: callables by qualified name."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {type(value).__name__: {f.name: _plain(getattr(value, f.name)) for f in dataclasses.fields(value)}}
    if isinstance(value, dict) or hasattr(value, "items"):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, (set, frozenset)):
        return sorted(json.dumps(_plain(v), sort_keys=True) for v in value)
    if callable(value):  # its module's source is in the digest; its name may hold a user folder's hash
        return getattr(value, "__qualname__", repr(value))
    return value if isinstance(value, (str, int, float, bool, type(None))) else repr(value)


USER = re.compile(r"^_blockparity_user_[0-9a-f]+_")  # a user's module (harness.userblocks): its folder's hash


def _ours(name: str) -> bool:
    return name == "specs" or name.startswith("specs.") or bool(USER.match(name))


def _sources(modules: list) -> dict:
    """The source of ``modules`` and of every spec module they use, directly or not (a spec's ``specs._ops``
    helpers, another spec it builds on, a user's spec files): {module name: source}, a user's module named
    without its folder's hash, so that the same folder elsewhere gives the same digest."""
    seen, todo = {}, list(modules)
    while todo:
        m = todo.pop()
        if m.__name__ in seen:
            continue
        try:
            seen[m.__name__] = inspect.getsource(m)
        except (OSError, TypeError):
            seen[m.__name__] = ""
        for value in vars(m).values():
            used = value if isinstance(value, types.ModuleType) else sys.modules.get(getattr(value, "__module__", None))
            if used is not None and _ours(used.__name__) and used.__name__ not in seen:
                todo.append(used)
    return dict(sorted((USER.sub("user:", k), v) for k, v in seen.items()))


def spec_digest(spec) -> str:
    """sha256 of the spec's module source (and the sources it uses in its package) and its registry entry:
    two runs with the same digest judged the same definition of the block."""
    own = sys.modules.get(f"specs.{spec.module}")  # the file that declares it (its reference may live elsewhere)
    modules = [m for m in (own, sys.modules.get(spec.reference.__module__)) if m is not None]
    entry = _plain(dataclasses.replace(spec, origin=""))  # where a user's folder is, not what it defines
    text = json.dumps({"sources": _sources(modules), "entry": entry}, sort_keys=True)
    return hashlib.sha256(text.encode()).hexdigest()


def _input_key(spec, name: str) -> str:
    return "x" if len(spec.inputs) == 1 and len(spec.outputs) == 1 else name


def _cotangent_key(spec, name: str) -> str:
    return "cotangent" if len(spec.outputs) == 1 else f"cotangent:{name}"


def arrays_file(spec, backend: str, mode: str) -> str:
    return f"{backend}.npz" if len(spec.modes) == 1 else f"{backend}.{mode}.npz"


def write_dump(root, todo, cases, got, manifest: dict | None = None) -> None:
    """DIR/<spec>/inputs.npz, params.npz and <backend>[.<mode>].npz, then DIR/manifest.json (if given)."""
    root = pathlib.Path(root)
    for name, spec, _ in todo:
        if (name, spec.modes[0]) not in cases:  # its reference did not run
            continue
        d = root / name
        d.mkdir(parents=True, exist_ok=True)
        case = cases[(name, spec.modes[0])]
        inputs = {_input_key(spec, k): v for k, v in case.inputs.items()}
        inputs.update({_cotangent_key(spec, k): v for k, v in case.cotangents.items()})
        save_arrays(d / "inputs.npz", inputs)
        save_arrays(d / "params.npz", {**case.params, **case.constants, **case.state})
        for (n, mode, b), arrays in got.items():
            if n == name:
                save_arrays(d / arrays_file(spec, b, mode), dict(arrays))
    if manifest is not None:
        write_manifest(root, manifest)


def write_manifest(root, manifest: dict) -> None:
    """DIR/manifest.json, written last: a folder without one is not a finished run."""
    root = pathlib.Path(root)
    root.mkdir(parents=True, exist_ok=True)
    (root / MANIFEST).write_text(json.dumps(manifest, indent=1, allow_nan=False) + "\n", encoding="ascii")


def read_case(spec, folder) -> tuple[dict, dict]:
    """(the case's arrays by protocol key: ``input:``, ``param:``, ``const:``, ``state:``; the cotangents by
    output name) as ``write_dump`` wrote them in ``folder``."""
    folder = pathlib.Path(folder)
    inputs, params = load_arrays(folder / "inputs.npz"), load_arrays(folder / "params.npz")
    given = {f"input:{k}": inputs[_input_key(spec, k)] for k in spec.inputs}
    for kind, declared in (("param", spec.params), ("const", spec.constants), ("state", spec.state)):
        given.update({f"{kind}:{k}": params[k] for k in declared})
    return given, {k: inputs[_cotangent_key(spec, k)] for k in spec.outputs}
