"""The comparison rules themselves: NaN is never agreement, the median outvotes one wrong framework, and
the framework-free directional check rejects a gradient that every framework might share."""

import numpy as np
import pytest

from harness import checks
from harness.data import make_case
from specs import resolve


def test_nan_and_inf_fail_even_when_both_sides_have_them():
    a = np.array([1.0, np.nan, 3.0])
    c = checks.compare("output", a, a.copy(), 1e-5)
    assert not c.passed and "NaN" in c.note
    c = checks.compare("output", np.array([np.inf]), np.array([1.0]), 1e-5)
    assert not c.passed and "Inf" in c.note


def test_shape_is_compared_before_values():
    c = checks.compare("output", np.zeros((2, 10)), np.zeros((2, 16)), 1e-5)
    assert not c.passed and "shape (2, 10) != expected (2, 16)" in c.note


def test_absent_value_fails():
    assert not checks.compare("grad:weight", None, np.zeros(3), 1e-5).passed


def test_relative_error_is_normwise():
    c = checks.compare("output", np.array([1.0, 1e-9]), np.array([1.0, 0.0]), 1e-5)
    assert c.passed and c.max_rel_err == pytest.approx(1e-9)


def test_median_outvotes_one_wrong_backend():
    good = np.array([1.0, 2.0, 3.0])
    wrong = good * 2
    cons = checks.consensus([good, good + 1e-7, wrong, good - 1e-7])
    assert checks.compare("grad:x", good, cons, 1e-5).passed
    assert not checks.compare("grad:x", wrong, cons, 1e-5).passed


@pytest.mark.parametrize("name", ["mlp", "fixed_hidden_mlp", "my_linear"])
def test_directional_check_accepts_the_true_gradient_and_rejects_a_scaled_one(name):
    """The true gradient comes from the analytic formula of ``my_linear``/``mlp``, not from any framework."""
    spec = resolve(name)[0]
    case = make_case(spec, seed=0, dtype="float64")
    directions = checks.reference_directions(spec, case, seed=0, dtype="float64")
    by_q = {}
    for d in directions:
        by_q.setdefault(d.quantity, []).append(d)
    assert set(by_q) == set(checks.gradient_quantities(spec)) and all(len(v) == 2 for v in by_q.values())
    if name == "my_linear":  # relu(x W + b), loss = sum(out * ct): dW = x^T (ct * mask), db = sum(ct * mask)
        x, w, b = case.inputs["x"], case.params["weight"], case.params["bias"]
        mask = (x @ w + b > 0) * case.cotangents["output"]
        true = {"grad:weight": x.T @ mask, "grad:bias": mask.sum(0), "grad:input": mask @ w.T}
        for q, g in true.items():
            assert checks.directional_error(g, by_q[q]) < 1e-8
            assert checks.directional_error(2 * g, by_q[q]) > 0.3
            assert checks.directional_error(np.zeros_like(g), by_q[q]) == pytest.approx(1.0)


@pytest.mark.parametrize("side", [1.0, -1.0])
def test_a_kink_inside_the_step_never_reaches_the_reference(side):
    """Put a ReLU exactly at its kink (a hair off 0, well inside the difference step) for every unit of row
    0: a central difference there would average the two slopes. No direction kept may disagree with the
    analytic gradient, which takes the side the point is on."""
    spec = resolve("my_linear")[0]
    case = make_case(spec, seed=0, dtype="float64")
    x, w, b = case.inputs["x"], case.params["weight"], case.params["bias"]
    b = b - (x @ w + b)[0] + side * 1e-12  # row 0's pre-activations are now +-1e-12
    case.params["bias"] = b
    mask = (x @ w + b > 0) * case.cotangents["output"]
    true = {"grad:weight": x.T @ mask, "grad:bias": mask.sum(0), "grad:input": mask @ w.T}
    seen = []  # (quantity, smoothness) of every direction tried
    kept = checks.reference_directions(spec, case, seed=0, dtype="float64", seen=seen)
    crossed = [q for q, r in seen if r > 1]
    # the premise, else the loop below may run over nothing: directions were tried and the kink was in their step
    assert crossed, f"no direction tried crossed the kink: {seen}"
    assert len(kept) == len(seen) - len(crossed), "a direction across the kink reached the reference"
    for d in kept:  # today none: every direction moves row 0 across its kink, and all are replaced
        assert checks.directional_error(true[d.quantity], [d]) < 1e-8, d.quantity
