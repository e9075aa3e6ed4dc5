"""One folder per framework. Each holds:

* ``__init__.py``: a few constants, never the framework itself (the coordinator imports it):
  ``LABEL`` (display name), ``REQUIRES`` (modules that must be importable), ``ENV`` (the virtual
  environment whose interpreter runs the worker), ``ENVIRON`` (variables its worker's environment sets,
  or removes with ``None``, whatever the user's shell says: each changes what the framework computes;
  see ``harness.pool``), ``GAPS`` (block, or (block, dtype), -> reason it is not realised or
  cannot run: shown as ``skipped``, never counted as a pass), ``TOLERANCES`` ((block, dtype) -> (max relative error,
  measured reason): a documented precision limit of the framework; that backend is held to it instead of
  the spec's tolerance, does not vote in the gradient consensus, and every run lists it) and
  ``DIVERGENCES`` ((block, mode, quantity pattern[, dtype]) -> (why the framework cannot follow the spec there,
  the largest relative error that explains)): shown as ``divergent`` with its measured size, never a
  pass; it fails the day it agrees in float64, so that an upstream fix is noticed, and when it is off by
  more, so that it cannot hide a second mistake); optionally ``REALISATIONS``, the package under
  ``backends/`` whose block modules this backend runs (default: its own; ``"keras"`` would let a Keras
  on JAX backend reuse ``backends/keras/``'s files); optionally ``DEFAULT = False``: the backend runs
  only when named (``--backends keras_jax``) or with ``--backends all``, not by default (the Keras
  engines: the same realisations as ``keras`` on another engine; Flax NNX); optionally ``BESIDE``, the
  backend whose column it follows in every view (Flax NNX beside linen's ``flax``);
* ``adapter.py``: class ``Adapter`` (see ``harness.adapter``), the only glue;
* one module per block, named like its spec (``specs/mlp.py`` <-> ``backends/<fw>/mlp.py``): the
  teaching code, as a d2l reader would write it.

Adding a backend is adding a folder; the order below is only the column order of reports.
"""

from __future__ import annotations

import importlib
import pathlib

PREFERRED_ORDER = ("torch", "flax", "keras", "gluon")
_HERE = pathlib.Path(__file__).parent


def names() -> list[str]:
    """Every backend, in column order."""
    found = [p.name for p in _HERE.iterdir() if (p / "__init__.py").exists() and (p / "adapter.py").exists()]
    last = len(PREFERRED_ORDER)
    ordered = sorted(found, key=lambda n: (PREFERRED_ORDER.index(n) if n in PREFERRED_ORDER else last, n))
    for n in [n for n in ordered if getattr(info(n), "BESIDE", None) in ordered]:  # right after its partner
        ordered.remove(n)
        ordered.insert(ordered.index(info(n).BESIDE) + 1, n)
    return ordered


def defaults() -> list[str]:
    """The backends a run runs unless told otherwise (``DEFAULT``, true unless a backend says so)."""
    return [n for n in names() if getattr(info(n), "DEFAULT", True)]


def info(name: str):
    return importlib.import_module(f"{__name__}.{name}")


def realisations(name: str) -> str:
    """The package under ``backends/`` that holds backend ``name``'s block modules (``REALISATIONS``)."""
    return getattr(info(name), "REALISATIONS", name)


def gap(name: str, block: str, dtype: str) -> str | None:
    """Why backend ``name`` does not run ``block`` in ``dtype`` (``GAPS`` by block, or by (block, dtype)), or None."""
    gaps = info(name).GAPS
    return gaps.get(block) or gaps.get((block, dtype))
