"""init:<param> (harness.init): declared initialisers checked without copying weights, with margins."""

import math

import numpy as np
import pytest

import backends
import specs
from harness import adapter, init


def test_ks_statistic_of_a_right_draw_is_small_and_of_a_wrong_scale_large():
    g = np.random.default_rng(0)
    right = init.resolve("uniform:-1:1", 1, 1)
    assert init.judge(g.uniform(-1, 1, 4096), right, "float64").passed
    wrong = init.judge(g.uniform(-0.5, 0.5, 4096), right, "float64")
    assert not wrong.passed and wrong.statistic > 2, wrong.note


def test_the_book_custom_initialiser_is_a_mixture_with_an_atom_at_zero():
    g = np.random.default_rng(1)
    w = g.uniform(-10, 10, 8192)
    w = w * (np.abs(w) >= 5)
    assert init.judge(w, init.resolve("d2l_custom", 1, 1), "float64").passed
    unmasked = init.judge(g.uniform(-10, 10, 8192), init.resolve("d2l_custom", 1, 1), "float64")
    assert not unmasked.passed, "a draw without its zeros must not pass as the mixture"


def test_constants_are_exact_and_fans_follow_each_layout():
    assert init.judge(np.full(5, 42.0), init.resolve("constant:42", 1, 1), "float32").passed
    assert not init.judge(np.full(5, 42.0001), init.resolve("constant:42", 1, 1), "float64").passed
    assert init.fans((16, 6, 5, 5)) == (150, 400)  # PyTorch (O, I, kH, kW)
    assert init.fans((5, 5, 6, 16), "in_out") == (150, 400)  # Keras/flax (kH, kW, I, O)
    with pytest.raises(ValueError, match="Expected one of"):
        init.resolve("glorot", 1, 1)


def test_the_threshold_false_alarm_rate_is_below_one_in_a_million():
    assert init.FALSE_ALARM <= 1e-6
    assert init.FALSE_ALARM == 2 * math.exp(-2 * init.KS_LIMIT ** 2)


def test_a_second_copy_of_a_tied_parameter_is_mapped_as_a_copy_and_a_shared_one_once():
    spec = specs.resolve("tied")[0]
    shared = object()
    slots = [adapter.Slot("2.weight", "a", (8, 8), shared), adapter.Slot("4.weight", "b", (8, 8), shared),
             adapter.Slot("2.bias", "c", (8,), object()), adapter.Slot("4.bias", "d", (8,), object())]
    tied = adapter.tie(slots, spec)
    assert [s.canonical for s in tied] == ["2.weight", "2.bias", "4.bias"]
    copy = tied[-1]
    assert copy.copy_of == "2.bias" and copy.sources == ("2.bias",)
    assert list(copy.gradients(np.ones(8))) == ["2.bias"]


@pytest.fixture(scope="module")
def runs(pool):
    return [init.init_backends(pool, None, backends.names(), d) for d in ("float32", "float64")]


def test_declared_initialisers_pass_in_every_framework_far_from_the_threshold(runs):
    """Each seeded statistic is at most 1/3 of its threshold: no machine's rounding can move the verdict."""
    for run in runs:
        for r in run.results:
            assert r.status in ("pass", "skipped"), f"{r.spec}[{r.backend}] {run.dtype}: {r.status} {r.reason} " \
                f"{[c.note for c in r.failing()]}"
            for c in r.checks:
                assert c.max_rel_err is None or c.max_rel_err <= 1 / 3 or "exactly" in c.note, \
                    f"{r.spec}[{r.backend}] {run.dtype} {c.quantity}: {c.note} is within 3x of its threshold"
