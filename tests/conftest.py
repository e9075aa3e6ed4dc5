"""One set of backend workers per test session, shared by every test that needs real frameworks.

``BLOCKPARITY_REQUIRE=all`` (what ``make test`` sets) or a comma-separated list: a backend named there
that cannot run (a missing environment, a framework that does not import) fails every test that needs the
workers, instead of letting them skip.

``--blocks DIR`` (repeatable; or ``BLOCKPARITY_BLOCKS``) adds a user's block folder to the registry before
collection, so that the parity tests get its cases (``myblock-keras-float64``); the workers inherit it.
"""

import os

import pytest

import backends
from harness import report
from harness.pool import Pool
from harness.run import compare_backends


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
    with Pool(backends.names(), tmp_path_factory.mktemp("workers")) as p:
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


def explain(result, run) -> str:
    """What a failing result says in the terminal report: checks, values and the command to reproduce."""
    return "\n".join(report.explain(result, run)) or f"{result.spec}[{result.backend}] {result.status}"


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
