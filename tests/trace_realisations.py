"""Which lines, and which ways out of each line, of one backend's realisations the catalogue runs.

``python -m tests.trace_realisations <backend> <out.json>``, in that backend's interpreter: every spec and
every variant, in each of its modes, goes once through the backend's adapter (forward and backward, in
float32), under ``sys.settrace``. Only frames whose code is in a realisation file
(``backends/<fw>/<block>.py``, not the adapter) are traced line by line; every other frame returns at its
first event, so the frameworks run untraced. Writes {"arcs": {file: [[from, to], ...]}, "errors": [...]}:
``to`` is -1 when the frame returns (or raises) after ``from``, ``from`` is -1 on entering it.
"""

from __future__ import annotations

import json
import pathlib
import sys
import traceback

ROOT = pathlib.Path(__file__).resolve().parent.parent


def realisation_files(backend: str) -> list[pathlib.Path]:
    """The backend's block modules: the files named like a spec (not its adapter, native.py, ...)."""
    import specs

    modules = {s.module for s in specs.all_specs()}
    folder = ROOT / "backends" / backend
    return sorted(p for p in folder.glob("*.py") if p.stem in modules)


def requests():
    """(run name, spec, variant, mode) for every spec and variant in the registry, in every mode."""
    import specs

    for spec in specs.all_specs():
        for name, variant in ((spec.name, None), *((v.name, v) for v in spec.variants)):
            for mode in spec.modes:
                yield name, spec, variant, mode


def main(backend: str, out: str) -> None:
    import importlib

    import backends
    from harness.adapter import Request
    from harness.data import make_case
    from harness.worker import realisation

    adapter = importlib.import_module(f"backends.{backend}.adapter").Adapter()
    watched = {str(p) for p in realisation_files(backend)}
    arcs: dict[str, set] = {f: set() for f in watched}
    last: dict = {}  # frame -> the line it ran last

    def local(frame, event, arg):
        f, line = frame.f_code.co_filename, frame.f_lineno
        if event == "line":
            arcs[f].add((last.get(frame, -1), line))
            last[frame] = line
        elif event == "return":
            arcs[f].add((last.pop(frame, -1), -1))
        return local

    def tracer(frame, event, arg):
        if frame.f_code.co_filename in watched:
            return local(frame, event, arg)
        return None

    errors, gaps = [], backends.info(backend).GAPS
    for name, spec, variant, mode in requests():
        if spec.module in gaps or (variant and variant.backends and backend not in variant.backends):
            continue
        case = make_case(spec, 0, "float32", mode)
        try:
            factory = realisation(backend, spec, variant)
            sys.settrace(tracer)
            try:
                adapter.run(Request.from_message({"dtype": "float32", "mode": mode, "seed": 0}, spec, variant,
                                                 factory, case.arrays()))
            finally:
                sys.settrace(None)
        except Exception as e:  # reported by the caller: a request that fails may leave lines unrun
            errors.append(f"{name} ({mode}): {type(e).__name__}: {e}".splitlines()[0][:300])
            traceback.print_exc()
    pathlib.Path(out).write_text(json.dumps({"arcs": {f: sorted(a) for f, a in arcs.items()}, "errors": errors}))


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
