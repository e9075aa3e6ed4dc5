"""Zero by construction is declared, never searched for (``harness.spec.ZeroGrad``), and judged in one place.

A gradient that is zero by construction is rounding noise in every framework; judged relative to itself,
or along directions of a loss that is flat up to rounding, its verdict would depend on how the CPU rounds.
So the specs declare every such gradient, the tests prove that the declarations are exactly right (a
declared one cannot move the loss, every other one moves it clearly), and ``checks.judge_gradient`` is the
one function that judges a gradient for ``compare`` and ``train`` alike.
"""

import numpy as np
import pytest

import specs
from harness import checks
from harness.data import make_case, run_reference
from harness.spec import ZeroGrad
from harness.train import check_training, tasks

# (spec, mode) for every mode of a block with parameters whose reference output is deterministic (not
# dropout's training mode)
MODES = [(s.name, m) for s in specs.all_specs() if s.params for m in s.modes if not (m == "train" and s.dropout)]
DECLARED = [(s.name, k, m) for s in specs.all_specs() for k in s.params for m in s.modes if s.zero_grad(k, m)]
assert MODES, "no block has parameters and a deterministic mode: no gradient would be shown to move the loss"
assert DECLARED, "no spec declares a ZeroGrad: the declared-zero tests would test nothing"


def _moves(spec, case, key, g) -> float:
    """How much the float64 reference loss moves when parameter ``key`` takes a small random step."""
    params = {**case.params, key: case.params[key] + 1e-3 * g.standard_normal(case.params[key].shape)}
    out = run_reference(spec, case.inputs, params, case.constants, mode=case.mode, state=case.state)
    return abs(sum(float(np.sum((out[k] - case.outputs[k]) * case.cotangents[k])) for k in out))


def test_the_catalogue_declares_both_kinds_of_zero_gradient():
    kinds = {(m, specs.resolve(s)[0].params[k].zero_grad.scale is None) for s, k, m in DECLARED}
    assert ("eval", True) in kinds and ("train", False) in kinds, kinds  # attention's key bias; bias before BN


@pytest.mark.parametrize("name, param, mode", DECLARED, ids=[f"{s}-{k}-{m}" for s, k, m in DECLARED])
def test_a_declared_zero_gradient_cannot_move_the_loss(name, param, mode):
    spec = specs.resolve(name)[0]
    case, g = make_case(spec, 0, "float64", mode), np.random.default_rng(3)
    others = max(_moves(spec, case, k, g) for k in spec.params if not spec.zero_grad(k, mode))
    assert _moves(spec, case, param, g) < 1e-9 * others, f"{name}: {param} is declared zero in {mode} but moves it"


@pytest.mark.parametrize("name, mode", MODES, ids=[f"{s}-{m}" for s, m in MODES])
def test_every_undeclared_gradient_moves_the_loss_clearly(name, mode):
    """No gradient is zero by accident of the data: each undeclared one moves the loss by far more than
    rounding, so no verdict can end up judging a flat loss."""
    spec = specs.resolve(name)[0]
    case, g = make_case(spec, 0, "float64", mode), np.random.default_rng(4)
    moved = {k: _moves(spec, case, k, g) for k in spec.params if not spec.zero_grad(k, mode)}
    largest = max(moved.values())
    flat = {k: v for k, v in moved.items() if v < 1e-6 * largest}
    assert not flat, f"{name} ({mode}): {sorted(flat)} barely move the loss: declare ZeroGrad or change the data"


def test_a_zero_gradient_is_judged_against_its_scale_not_itself():
    zero = ZeroGrad("why")
    judge = lambda got: checks.judge_gradient("grad:b", got, np.zeros(3), 1e-5, "float32", zero=zero,
                                              scale=2.0, scale_of="grad:w")
    assert judge(np.full(3, 1e-8)).passed  # rounding noise, far below the scale
    wrong = judge(np.array([0.0, 0.1, 0.0]))
    assert not wrong.passed and wrong.max_rel_err == pytest.approx(0.05)
    assert not judge(None).passed and not judge(np.full(3, np.nan)).passed
    assert "zero by construction (why)" in judge(np.zeros(3)).note


def _direction(derivative, u):
    return checks.Direction("grad:w", np.asarray(u, float), derivative)


def test_one_backend_is_judged_by_its_directional_derivative_alone():
    right, wrong = np.array([1.0, 2.0]), np.array([1.0, 2.5])
    d = [_direction(3.0, [1.0, 1.0])]
    alone = checks.judge_gradient("grad:w", right, right, 1e-5, "float32", directions=d, alone=True)
    assert alone.passed and "one backend" in alone.note and alone.max_rel_err == pytest.approx(0.0)
    bad = checks.judge_gradient("grad:w", wrong, wrong, 1e-5, "float32", directions=d, alone=True)
    assert not bad.passed and bad.max_rel_err > 0.1  # the consensus of itself would have said 0
    blind = checks.judge_gradient("grad:w", right, right, 1e-5, "float32", alone=True)
    assert not blind.passed and "cannot be judged" in blind.note


def test_a_flat_loss_is_smooth_whatever_the_rounding():
    """Slopes that are rounding noise (a flat loss) are smooth for any noise up to FD_FLAT / 10 of the
    resolution, as another CPU's rounding gives; a kink of the slopes' own size is not."""
    g = np.random.default_rng(0)
    for _ in range(1000):
        assert checks.smooth(g.uniform(-1, 1, 4) * checks.FD_FLAT / 10, resolution=1.0)
    assert not checks.smooth(np.array([1.0, 1.0, -1.0, -1.0]), resolution=1e-10)


def test_training_judges_a_declared_zero_gradient_at_every_step_without_directions():
    """The failure seen on an AVX-512 machine: multihead_attention's key bias got the generic directional
    check in training, on a loss flat up to rounding. Now no direction is drawn for it, at any step."""
    task = next(t for t in tasks(["multihead_attention"], ["sgd"]))
    spec = task.spec
    case = make_case(spec, 0, "float32", task.mode)
    targets = {k: np.zeros_like(v) for k, v in case.outputs.items()}
    g = np.random.default_rng(0)
    arrays = {f"step{k}:{kind}{q}": (g.standard_normal(p.shape) * (1e-8 if kind and q == "W_k.bias" else 1))
              for k in (1, 2) for q, p in spec.params.items() for kind in ("grad:", "")}
    directions = {}
    found, _ = check_training(task, case, targets, arrays, "torch", 2, "float32", 0, directions)
    assert "W_k.bias" not in directions and directions, sorted(directions)
    key_bias = [c for c in found if c.quantity.endswith("grad:W_k.bias")]
    assert len(key_bias) == 2 and all("zero by construction" in c.note for c in key_bias), key_bias
