"""Every trap in the catalogue is caught and localised where its variant says, in every framework it names."""

import pytest

import backends
from harness import traps

CASES = [pytest.param(v.name, b, id=f"{v.name}-{b}")
         for s, v in traps.catalogue() for b in (v.backends or backends.names())]
assert CASES, "the trap catalogue is empty: no trap would be tested"


@pytest.fixture(scope="session")
def trap_results(pool):
    return {(t.name, t.backend): t for t in traps.run_traps(pool, backends.names())}


@pytest.mark.parametrize("name, backend", CASES)
def test_trap_is_caught_and_localised(trap_results, name, backend):
    t = trap_results.get((name, backend))
    assert t is not None, f"{name}[{backend}] did not run (skipped?)"
    assert t.caught, f"{name}[{backend}] not caught: status {t.status} {t.reason}"
    assert t.localised, f"{name}[{backend}] first divergence {t.first_divergence}, expected {t.expected_tap}"
    for dtype, status in t.missed_in.items():
        assert status == "pass", f"{name}[{backend}] was documented as invisible in {dtype} but is now {status}"


def test_a_trap_that_passes_or_points_elsewhere_is_not_ok():
    base = dict(name="x", spec="s", backend="torch", dtype="float32", expected_tap="conv1", explanation="",
                missed_in={})
    assert not traps.TrapResult(status="pass", first_divergence=None, **base).ok
    assert not traps.TrapResult(status="error", first_divergence=None, **base).ok
    assert not traps.TrapResult(status="fail", first_divergence={"tap": "conv2"}, **base).ok
    assert traps.TrapResult(status="fail", first_divergence={"tap": "conv1"}, **base).ok
    assert not traps.TrapResult(status="fail", first_divergence={"tap": "conv1"},
                                **{**base, "missed_in": {"float32": "fail"}}).ok


def test_catalogue_markdown_lists_every_trap(trap_results):
    md = traps.markdown(list(trap_results.values()))
    for _, v in traps.catalogue():
        assert f"`{v.name}`" in md
