"""No verdict rests on rounding: every decision the harness takes from the float64 reference has a margin
that no CPU's rounding can cross.

The reference itself is float64 NumPy, whose matrix products round differently on AVX-512 and AVX2; the
decisions taken from it are which random directions are smooth enough for a central difference
(``checks.smoothness``, <= 1 is smooth). Each is re-run here under the run's own directions and another
draw, in both dtypes, for ``compare`` and for the training step: every direction tried must be either
clearly smooth (<= 1/10 of the threshold: rounding moves the slopes' second differences by a few times
the loss's resolution, which is 1/FD_FLAT of the threshold at most) or clearly not (>= 10 times it), and
every gradient not declared zero by construction must get its directions. A gradient that is zero by
construction is declared (``ZeroGrad``, tests/test_zero_grad.py), never searched for.
"""

import numpy as np
import pytest

import specs
from harness import checks
from harness.data import make_case, make_target
from harness.run import fragile
from harness.spec import DTYPES
from harness.train import Task, train_directions

MARGIN = 10
DRAWS = (None, 1)  # the run's own directions and another draw
CASES = [(s.name, m, d) for s in specs.all_specs() for m in s.modes for d in ("float32", "float64")
         if not (m == "train" and s.dropout)]
assert CASES, "no spec has a deterministic mode: no compare direction would be tested"


def _assert_clear(seen, what):
    assert seen, f"{what}: no direction was tried"
    unclear = [(q, round(r, 3)) for q, r in seen if 1 / MARGIN < r < MARGIN]
    assert not unclear, f"{what}: smoothness within {MARGIN}x of the threshold, a CPU could decide otherwise: {unclear}"


@pytest.mark.parametrize("name, mode, dtype", CASES, ids=[f"{n}-{m}-{d}" for n, m, d in CASES])
def test_compare_directions_are_clearly_smooth_or_not(name, mode, dtype):
    spec = specs.resolve(name)[0]
    case = make_case(spec, 0, dtype, mode)
    wanted = {q for q, (kind, key) in checks.gradient_quantities(spec).items()
              if not (kind == "param" and spec.zero_grad(key, mode))}
    for draw in DRAWS:
        seen = []
        found = checks.reference_directions(spec, case, 0, dtype, draw=draw, seen=seen)
        _assert_clear(seen, f"{name} ({mode}, {dtype}, draw {draw})")
        missing = wanted - {d.quantity for d in found}
        assert not missing, f"{name} ({mode}, {dtype}, draw {draw}): no smooth direction for {sorted(missing)}"


TRAIN = [(s.name, d) for s in specs.all_specs() if s.params for d in ("float32", "float64")]
assert TRAIN, "no spec has parameters: no training direction would be tested"


@pytest.mark.parametrize("name, dtype", TRAIN, ids=[f"{n}-{d}" for n, d in TRAIN])
def test_training_directions_are_clearly_smooth_or_not(name, dtype):
    spec = specs.resolve(name)[0]
    task = Task(name, spec, "sgd")
    case = make_case(spec, 0, dtype, task.mode)
    targets = make_target(spec, case, 0, dtype)
    for draw in DRAWS:
        seen = []
        for q in spec.params:
            if spec.zero_grad(q, task.mode):
                continue
            found = train_directions(spec, case, task.mode, targets, q, 0, draw=draw, seen=seen)
            assert len(found) == checks.FD_DIRECTIONS, f"{name} ({dtype}, draw {draw}): {q} has {len(found)} directions"
        _assert_clear(seen, f"train {name} ({dtype}, draw {draw})")


def test_the_smoothness_test_tells_a_kink_from_a_curvature():
    """A kink of 1% of the slope anywhere in [-2h, 2h] is far outside; a strong curvature is far inside."""
    h, resolution = 1e-6, 1e-12
    for where in np.linspace(-2 * h, 2 * h, 9)[1:-1]:  # inside the interval (at its ends it is smooth)
        f = [abs_kink(t, where) for t in (-2 * h, -h, 0.0, h, 2 * h)]
        assert checks.smoothness(np.diff(f) / h, resolution) > MARGIN, where
    curved = [1.0 + t + 1e4 * t * t for t in (-2 * h, -h, 0.0, h, 2 * h)]
    assert checks.smoothness(np.diff(curved) / h, resolution) < 1 / MARGIN


def abs_kink(t, where):
    return 1.0 + t + 0.01 * abs(t - where)


def _fragile(run):
    out = []
    for r in run.results:
        if r.status in ("pass", "divergent"):
            spec, optimizer = specs.resolve(r.variant_of or r.spec)[0], getattr(r, "optimizer", None)
            out += [f"{r.spec}[{r.backend}]{f' {optimizer}' if optimizer else ''} {f}"
                    for f in fragile(r, spec, run.dtype, optimizer)]
    return out


@pytest.mark.parametrize("dtype", DTYPES)
def test_every_verdict_of_the_catalogue_is_clear_of_its_threshold(compare, dtype):
    """Each pass is 3x below its tolerance, each declared divergence 3x inside the band it is declared
    in: the catalogue's verdicts are the same on a CPU that rounds differently."""
    run = compare(dtype=dtype)
    assert [r for r in run.results if r.status in ("pass", "divergent")]
    found = _fragile(run)
    assert not found, "\n".join(found)


@pytest.mark.parametrize("dtype", DTYPES)
def test_every_verdict_of_the_training_steps_is_clear_of_its_threshold(train, dtype):
    run = train(dtype=dtype)
    assert [r for r in run.results if r.status in ("pass", "divergent")]
    found = _fragile(run)
    assert not found, "\n".join(found)
