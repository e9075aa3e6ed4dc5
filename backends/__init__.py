"""One folder per framework. Each holds:

* ``__init__.py``: a few constants, never the framework itself (the coordinator imports it):
  ``LABEL`` (display name), ``REQUIRES`` (modules that must be importable), ``ENV`` (the virtual
  environment whose interpreter runs the worker) and ``GAPS`` (block -> reason it is not realised: shown
  as ``skipped``, never counted as a pass) and ``TOLERANCES`` ((block, dtype) -> (max relative error,
  measured reason): a documented precision limit of the framework; that backend is held to it instead of
  the spec's tolerance, does not vote in the gradient consensus, and every run lists it);
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
    found = [p.name for p in _HERE.iterdir() if (p / "__init__.py").exists() and (p / "adapter.py").exists()]
    return sorted(found, key=lambda n: (PREFERRED_ORDER.index(n) if n in PREFERRED_ORDER else len(PREFERRED_ORDER), n))


def info(name: str):
    return importlib.import_module(f"{__name__}.{name}")
