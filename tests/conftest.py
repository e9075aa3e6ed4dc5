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


# The fast loop (``make fast``: ``pytest -m sharp``; docs/tests.md): the tests that catch mistakes — every trap
# of the catalogue, each deliberately wrong realisation, weight map, rule, input or gradient — the command
# line's contract and the layout transforms. None of them needs the whole catalogue's run.
SHARP = {
    "test_layout.py": "*", "test_checks.py": "*", "test_traps.py": "*",
    "test_catches.py": ("test_data_attr_variant_fails_on_parameter_gradients_only",
                        "test_perturbed_weight_in_one_backend_is_reported_for_that_backend_only",
                        "test_nan_input_is_never_agreement",
                        "test_a_one_backend_run_catches_a_wrong_gradient_by_its_directional_derivative"),
    "test_seq.py": ("test_a_wrong_recurrent_map_fails_on_the_named_gradient", "test_gate_orders_and_their_inverse",
                    "test_recurrent_faults_rewrite_only_the_slots_they_are_about", "test_layouts_round_trip",
                    "test_a_fused_bias_hands_its_gradient_to_both_and_is_checked_one_to_one"),
    "test_conv.py": ("test_classic_nhwc_porting_mistakes_are_reported_failing",
                     "test_same_padding_puts_the_odd_pixel_after"),
    "test_state.py": ("test_stateful_mistake_is_reported_on_the_quantity_that_shows_it",
                      "test_a_declared_divergence_that_agrees_fails",
                      "test_a_declared_divergence_cannot_hide_a_larger_error",
                      "test_dropout_properties_reject_a_wrong_dropout"),
    "test_train.py": ("test_training_trap_is_caught_on_its_quantity",
                      "test_adam_eps_placements_are_the_documented_identity",
                      "test_a_framework_held_to_another_frameworks_rule_fails",
                      "test_what_an_engine_keeps_per_block_serves_that_block_only",
                      "test_a_worker_keeps_what_it_made_for_its_last_blocks_only"),
    "test_localise.py": ("test_perturbed_weight_is_localised_in_every_framework",
                         "test_gradient_only_failure_walks_back_from_the_output"),
    "test_cli.py": ("test_bad_input_is_one_line_and_exit_2",),
    "test_merge.py": ("test_shards_cover_every_block_exactly_once_and_evenly", "test_every_block_has_a_measured_cost"),
}


def pytest_collection_modifyitems(config, items):
    seen = {}
    for item in items:
        chosen = SHARP.get(item.path.name, ())
        seen.setdefault(item.path.name, set()).add(item.originalname)
        if chosen == "*" or item.originalname in chosen:
            item.add_marker(pytest.mark.sharp)
    if not config.getoption("keyword") and not config.getoption("markexpr"):  # whole modules: no stale name
        stale = [f"{f}::{n}" for f, names in SHARP.items() if f in seen and names != "*" for n in names
                 if n not in seen[f]]
        if stale:
            raise pytest.UsageError(f"tests/conftest.py SHARP names tests that do not exist: {', '.join(stale)}")


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
