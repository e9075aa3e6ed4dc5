"""One set of backend workers per test session, shared by every test that needs real frameworks.

``BLOCKPARITY_REQUIRE=all`` (what ``make test`` sets) or a comma-separated list: a backend named there
that cannot run (a missing environment, a framework that does not import) fails every test that needs the
workers, instead of letting them skip.

``--blocks DIR`` (repeatable; or ``BLOCKPARITY_BLOCKS``) adds a user's block folder to the registry before
collection, so that the parity tests get its cases (``myblock-keras-float64``); the workers inherit it.
"""

import os
import subprocess
import sys

import pytest

import backends
from harness import report
from harness.pool import ROOT, Pool, default_workers
from harness.run import compare_backends


@pytest.fixture(scope="session", autouse=True)
def _environment_at_start():
    """The environment the tests start with (after collection, so ``--blocks`` is in it)."""
    return dict(os.environ)


@pytest.fixture(autouse=True)
def _environment_as_started(_environment_at_start):
    """Each test starts from the environment the suite started with: a framework imported in this process
    changes os.environ (TensorFlow sets TPU_ML_PLATFORM and friends), and every command a later test runs
    would inherit it (and report it as the user's setting, overridden)."""
    yield
    if os.environ != _environment_at_start:
        os.environ.clear()
        os.environ.update(_environment_at_start)


def pytest_addoption(parser):
    parser.addoption("--blocks", action="append", default=[], metavar="DIR",
                     help="also test the blocks in DIR (DIR/specs, DIR/backends/<fw>; docs/own-blocks.md)")


def pytest_configure(config):
    from harness import userblocks

    userblocks.normalise()
    for folder in config.getoption("--blocks"):
        userblocks.add(folder)
    try:
        import specs

        specs.names()
    except userblocks.BlockError as e:
        raise pytest.UsageError(f"--blocks: {e}") from None


@pytest.fixture(scope="session")
def pool(tmp_path_factory):
    names = backends.names()
    with Pool(names, tmp_path_factory.mktemp("workers"), workers=default_workers(names)) as p:
        wanted = os.environ.get("BLOCKPARITY_REQUIRE", "").strip()
        required = backends.names() if wanted == "all" else [b for b in wanted.split(",") if b.strip()]
        if required:
            p.wait_ready()
            missing = [f"{b}: {p.workers[b].reason}" for b in required if not p.workers[b].ever_ready]
            if missing:
                pytest.fail(f"BLOCKPARITY_REQUIRE={wanted}, but these backends cannot run: {'; '.join(missing)}")
        yield p


@pytest.fixture(scope="session")
def compare(pool):
    """compare(names, backends=None, dtype=..., seed=..., overrides=...) -> Run, cached per arguments."""
    cache = {}

    def run(names=(), backend_names=None, dtype="float32", seed=0, overrides=None, taps=False):
        key = (tuple(names), tuple(backend_names or ()), dtype, seed, repr(overrides), taps)
        if key not in cache or overrides:
            cache[key] = compare_backends(pool, list(names), backend_names or backends.names(), dtype, seed,
                                          overrides=overrides, taps=taps)
        return cache[key]

    return run


# --- helpers the test modules import from here (``from tests.conftest import ...``), never from each other ---


def explain(result, run) -> str:
    """What a failing result says in the terminal report: checks, values and the command to reproduce."""
    return "\n".join(report.explain(result, run)) or f"{result.spec}[{result.backend}] {result.status}"


def by_backend(run, name=None) -> dict:
    """backend -> result, for the block ``name`` (or the run's only block), one result per backend.

    Never empty and never silently merged: a run without that block, or with several blocks when no
    ``name`` says which, or two results of one backend, is an error here rather than a loop over nothing.
    """
    found = [r for r in run.results if name is None or r.spec == name]
    blocks = {r.spec for r in found}
    assert len(blocks) == 1, f"by_backend({name!r}): expected the results of one block, got {sorted(blocks)}"
    out = {r.backend: r for r in found}
    assert len(out) == len(found), f"by_backend({name!r}): a backend has several results: {[r.backend for r in found]}"
    return out


def cli(*args):
    """``python compare.py ARGS`` (with --quiet where the command takes it), run from the project root."""
    quiet = ["--quiet"] if args and args[0] not in ("list", "bench", "--help") else []
    return subprocess.run([sys.executable, "compare.py", *args, *quiet], cwd=ROOT, capture_output=True, text=True,
                          timeout=600)


@pytest.fixture(scope="session")
def train(pool):
    """train(names, backends=None, optimizers=..., dtype=..., steps=...) -> TrainRun, cached per arguments."""
    from harness import optim
    from harness.train import train_backends

    cache = {}

    def run(names=(), backend_names=None, optimizers=tuple(optim.OPTIMIZERS), dtype="float32", steps=optim.STEPS):
        key = (tuple(names), tuple(backend_names or ()), tuple(optimizers), dtype, steps)
        if key not in cache:
            cache[key] = train_backends(pool, list(names), backend_names or backends.names(), optimizers, dtype,
                                        steps=steps)
        return cache[key]

    return run
