"""A user's own blocks, kept in a folder outside this repository (``compare.py --blocks DIR``).

The folder has our layout: ``DIR/specs/<block>.py`` (each defines ``SPEC`` or ``SPECS``) and
``DIR/backends/<fw>/<block>.py`` (the realisations, any subset of the frameworks). The folders to load
travel in the environment variable ``BLOCKPARITY_BLOCKS`` (``DIR1:DIR2``), which ``--blocks`` extends and
every worker inherits, so that the coordinator and the workers see the same registry.

A user's modules are imported by file path under names of their own (``_blockparity_user_<hash>_...``):
a user file called ``mlp.py`` can never shadow ours, nor ours theirs. Everything that can be checked
before a worker starts is checked here, and said as one line naming the file (``BlockError``): a folder
that does not exist or holds no specs, a spec file that does not import or defines neither ``SPEC`` nor
``SPECS``, a name that clashes with another block, a realisation file that does not define the spec's
model class (read with ``ast``: the coordinator imports no framework).
"""

from __future__ import annotations

import ast
import hashlib
import importlib.util
import os
import pathlib
import sys

ENV = "BLOCKPARITY_BLOCKS"


class BlockError(ValueError):
    """A user's block folder that cannot be used: one line, naming the file."""


def folders() -> list[pathlib.Path]:
    """The user's block folders named by ``BLOCKPARITY_BLOCKS``, in order."""
    return [pathlib.Path(p) for p in os.environ.get(ENV, "").split(os.pathsep) if p.strip()]


def normalise() -> None:
    """Make ``BLOCKPARITY_BLOCKS`` absolute: the workers run in this repository, not the user's folder."""
    if os.environ.get(ENV, "").strip():
        os.environ[ENV] = os.pathsep.join(str(p.expanduser().resolve()) for p in folders())


def add(folder: str) -> None:
    """Add ``folder`` to ``BLOCKPARITY_BLOCKS`` (as an absolute path, once): workers started later see it."""
    path = str(pathlib.Path(folder).expanduser().resolve())
    known = [str(p) for p in folders()]
    if path not in known:
        os.environ[ENV] = os.pathsep.join([*known, path])


def _module_name(path: pathlib.Path, *parts: str) -> str:
    digest = hashlib.sha1(str(path.parent.resolve()).encode()).hexdigest()[:10]
    return "_".join(("_blockparity_user", digest, *parts, path.stem))


def _import(path: pathlib.Path, name: str):
    """Import the file at ``path`` as module ``name`` (once per process)."""
    if name in sys.modules:
        return sys.modules[name]
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    try:
        spec.loader.exec_module(module)
    except BaseException:
        del sys.modules[name]
        raise
    return module


def _one_line(e: BaseException) -> str:
    return f"{type(e).__name__}: {e}".replace("\n", " ").strip()


def spec_files(folder: pathlib.Path) -> list[pathlib.Path]:
    if not folder.is_dir():
        raise BlockError(f"{folder}: no such folder. Expected a folder holding specs/<block>.py")
    found = sorted(p for p in (folder / "specs").glob("*.py") if not p.name.startswith("_"))
    if not found:
        raise BlockError(f"{folder}: no specs in {folder / 'specs'}. Expected specs/<block>.py files, each "
                         "defining SPEC or SPECS")
    return found


def load(folder: pathlib.Path) -> list:
    """The specs of one user folder, each with ``origin`` (the folder) and ``module`` (its file) set."""
    import dataclasses

    from harness.spec import Spec

    out = []
    for path in spec_files(folder):
        try:
            module = _import(path, _module_name(path, "specs"))
        except Exception as e:
            raise BlockError(f"{path}: does not import: {_one_line(e)}") from None
        found = getattr(module, "SPECS", None) or [getattr(module, "SPEC", None)]
        if found == [None]:
            raise BlockError(f"{path}: defines neither SPEC nor SPECS. Expected SPEC = Spec(...)")
        for spec in found:
            if not isinstance(spec, Spec):
                raise BlockError(f"{path}: SPEC is a {type(spec).__name__}. Expected a harness.spec.Spec")
            spec = dataclasses.replace(spec, module=path.stem, origin=str(folder.resolve()),
                                       doc=spec.doc or (module.__doc__ or "").strip())
            if spec.reference_backend and spec.dropout is not None:
                raise BlockError(f"{path}: reference={spec.reference_backend!r} with dropout: a random training-mode "
                                 "output is checked against a NumPy reference only. Expected reference=<a function>")
            check_realisations(spec)
            out.append(spec)
    return out


def realisation_path(spec, backend: str) -> pathlib.Path:
    """The file of ``backend``'s realisation of a user's ``spec``; an engine that runs another backend's files
    (``REALISATIONS``: keras_jax runs keras's) runs the user's ``backends/keras/`` file too."""
    import backends

    return pathlib.Path(spec.origin) / "backends" / backends.realisations(backend) / f"{spec.module}.py"


def shown(path) -> str:
    """A path as reports show it: relative to this repository when inside it (tests/user_blocks)."""
    path = pathlib.Path(path)
    root = pathlib.Path(__file__).resolve().parent.parent
    return str(path.relative_to(root)) if path.is_relative_to(root) else str(path)


def gap(spec, backend: str) -> str | None:
    """Why ``backend`` has no realisation of a user's ``spec`` (None when it has one, or for our blocks)."""
    if spec.origin and not realisation_path(spec, backend).exists():
        return f"no realisation in {shown(spec.origin)}"
    return None


def check_realisations(spec) -> None:
    """Every realisation file of a user's spec parses and defines the spec's model (and its variants')."""
    import backends

    def models(backend):  # a variant's class only where it is about that backend
        return {spec.model, *(v.model for v in spec.variants if v.model and backend in (v.backends or (backend,)))}

    ref = spec.reference_backend
    if ref and not realisation_path(spec, ref).exists():
        raise BlockError(f"{pathlib.Path(spec.origin) / 'specs' / (spec.module + '.py')}: reference={ref!r}, but "
                         f"{realisation_path(spec, ref)} does not exist. Expected the realisation that is the "
                         "reference")
    for b in backends.names():
        if backends.realisations(b) != b:  # an engine: its files are another backend's, checked there
            continue
        path = realisation_path(spec, b)
        if not path.exists():
            continue
        try:
            tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
        except (SyntaxError, UnicodeDecodeError, OSError) as e:
            raise BlockError(f"{path}: does not parse: {_one_line(e)}") from None
        defined = {n.name for n in tree.body if isinstance(n, (ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef))}
        defined |= {t.id for n in tree.body if isinstance(n, ast.Assign) for t in n.targets if isinstance(t, ast.Name)}
        defined |= {(a.asname or a.name).split(".")[0] for n in tree.body
                    if isinstance(n, (ast.Import, ast.ImportFrom)) for a in n.names}
        missing = sorted(models(b) - defined)
        if missing:
            raise BlockError(f"{path}: defines no {', '.join(map(repr, missing))}, the model spec {spec.name!r} "
                             f"names. Expected class {missing[0]} in {path.name}")


def import_realisation(spec, backend: str):
    """The module of a user's realisation in ``backend`` (LookupError when the folder has none)."""
    path = realisation_path(spec, backend)
    if not path.exists():
        raise LookupError(f"not realised: no realisation in {spec.origin} ({path} does not exist)")
    return _import(path, _module_name(path, "backends", backend))
