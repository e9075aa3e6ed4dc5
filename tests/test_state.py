"""Modes and state: each mode with the framework's own switch, state buffers mapped by name, declared
divergences that must stay divergent, the mistakes a stateful port makes, and dropout's properties."""


import numpy as np
import pytest

import backends
from harness import checks
from harness.data import make_case
from harness.run import Result, apply_divergences
from harness.spec import DTYPES
from specs import resolve
from tests.conftest import by_backend, explain


def failing(result) -> set:
    return {(c.quantity, c.mode) for c in result.failing()}


# Each is (variant, the backends it is about, checks that must fail: (quantity, mode)).
MISTAKES = [
    pytest.param("batch_norm_momentum_unconverted", ("flax", "keras", "gluon"),
                 {("state:running_mean", "train"), ("state:running_var", "train")}, id="bn-momentum-convention"),
    pytest.param("batch_norm_unbiased_var", ("torch",),
                 {("output", "train"), ("state:moving_var", "train")}, id="bn-scratch-unbiased-variance"),
    pytest.param("batch_norm_grad_enabled", ("torch",), {("output", "eval")}, id="bn-book-grad-enabled-mode"),
    pytest.param("batch_norm_keras_eps", ("keras",), {("output", "train"), ("output", "eval")}, id="bn-keras-eps"),
    pytest.param("layer_norm_keras_eps", ("keras",), {("output", "eval")}, id="ln-keras-eps"),
]


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("variant, about, must_fail", MISTAKES)
def test_stateful_mistake_is_reported_on_the_quantity_that_shows_it(compare, variant, about, must_fail, dtype):
    run = compare([variant], dtype=dtype)
    results = by_backend(run)
    declared = resolve(variant)[1].backends  # the frameworks the mistake is written for (NNX's too, where it is)
    assert set(about) <= set(declared), f"{variant} is no longer written for {sorted(set(about) - set(declared))}"
    about = declared
    assert set(about) <= set(results), f"{variant}: no result for {sorted(set(about) - set(results))}"
    for b, r in results.items():
        if b not in about:
            assert r.status == "skipped"
            continue
        assert r.status == "fail", explain(r, run)
        assert must_fail <= failing(r), f"{variant}[{b}]: expected {must_fail} among the failures:\n{explain(r, run)}"


def test_momentum_convention_is_invisible_to_outputs_and_gradients(compare):
    """Only the running statistics show an unconverted momentum: that is why state is compared at all."""
    run = compare(["batch_norm_momentum_unconverted"])
    for b in ("flax", "keras", "gluon"):
        r = by_backend(run)[b]
        assert {q for q, _ in failing(r)} == {"state:running_mean", "state:running_var"}, explain(r, run)


@pytest.mark.parametrize("dtype", DTYPES)
def test_declared_divergences_stay_divergent(compare, dtype):
    """Torch's unbiased running_var and Gluon's evaluation-mode BatchNorm input gradient: if either ever
    agrees, upstream changed, and this fails (as does the run: a declared divergence that agrees fails)."""
    run = compare(["batch_norm_concise"], dtype=dtype)
    got = {b: {(c.quantity, c.mode) for c in r.divergent()} for b, r in by_backend(run).items()}
    assert got["torch"] == {("state:running_var", "train")}, explain(by_backend(run)["torch"], run)
    assert got["gluon"] == {("grad:input", "eval")}, explain(by_backend(run)["gluon"], run)
    for b in ("torch", "gluon"):
        r = by_backend(run)[b]
        assert r.status == "divergent" and all(c.max_rel_err > 1e-8 for c in r.divergent())
    assert by_backend(run)["flax"].status == by_backend(run)["keras"].status == "pass"
    assert run.ok()  # declared: exit status 0


def test_a_declared_divergence_that_agrees_fails(monkeypatch):
    spec = resolve("mlp")[0]
    result = Result("mlp", "flax", "pass", checks=[checks.Check("output", 0.0, 0.0, True, mode="eval")])
    info = backends.info("flax")
    monkeypatch.setattr(info, "DIVERGENCES", {("mlp", "eval", "output"): ("pretend flax cannot", 1e-3)})
    apply_divergences(result, spec, "flax", "float64")
    assert result.status == "fail" and "agrees now" in result.checks[0].note
    assert "DIVERGENCES in backends/flax/__init__.py" in result.checks[0].note
    # float32 may not resolve a small divergence (torch's running_var over many values): it is still
    # reported as declared there, whichever side of the tolerance this CPU's rounding puts it
    for err in (0.0, 2e-5):
        result = Result("mlp", "flax", "pass", checks=[checks.Check("output", err, err, err <= 1e-5, mode="eval")])
        apply_divergences(result, spec, "flax", "float32")
        assert result.status == "divergent" and result.checks[0].divergent, result


def test_state_buffers_are_mapped_by_name_to_pytorch_buffers(compare):
    """Each framework's own names for the running statistics, and the book's plain attributes."""
    run = compare(["batch_norm_concise", "batch_norm"])
    native = {(r.spec, r.backend): {p["canonical"]: p["native"] for p in r.native_params} for r in run.results}
    assert native[("batch_norm_concise", "flax")]["running_var"] == "batch_stats/var"
    assert native[("batch_norm_concise", "keras")]["running_var"] == "moving_variance"
    assert native[("batch_norm_concise", "gluon")]["running_var"] == "running_var"
    assert native[("batch_norm_concise", "torch")]["running_var"] == "running_var"
    assert native[("batch_norm_concise", "keras")]["weight"] == "gamma"
    assert native[("batch_norm", "gluon")]["moving_mean"] == "moving_mean"  # a plain np array attribute
    assert native[("batch_norm", "flax")]["moving_mean"] == "batch_stats/moving_mean"


def test_every_check_of_a_stateful_block_carries_its_mode(compare):
    run = compare(["batch_norm"])
    for r in by_backend(run).values():
        modes = [c.mode for c in r.checks]
        assert set(modes) == {"train", "eval"}, modes
        assert {c.quantity for c in r.checks if c.mode == "eval"} >= {"output", "state:moving_mean"}


# --- dropout: properties of each framework's own mask ----------------------------------------------------


def dropout_case():
    spec = resolve("dropout")[0]
    return spec, make_case(spec, seed=0, dtype="float64", mode="train")


def right_dropout(case, p, seed=1):
    x, ct = case.inputs["x"], case.cotangents["output"]
    keep = np.random.default_rng(seed).random(x.shape) >= p
    return {"output": keep * x / (1 - p), "grad:input": keep * ct / (1 - p)}


def test_dropout_properties_accept_a_right_mask():
    spec, case = dropout_case()
    found = checks.dropout_checks(spec, case, right_dropout(case, spec.dropout), 1e-10)
    assert all(c.passed for c in found), [(c.quantity, c.note) for c in found]


@pytest.mark.parametrize("mistake, quantity", [
    ("scaled by 1/p", "output"),
    ("keep probability swapped", "dropped_fraction"),
    ("gradient through another mask", "grad:input"),
    ("gradient not rescaled", "grad:input"),
])
def test_dropout_properties_reject_a_wrong_dropout(mistake, quantity):
    spec, case = dropout_case()
    p = spec.dropout
    arrays = right_dropout(case, p)
    if mistake == "scaled by 1/p":
        arrays["output"] = arrays["output"] * (1 - p) / p
    elif mistake == "keep probability swapped":
        arrays = right_dropout(case, 1 - p)
        arrays = {k: v * p / (1 - p) for k, v in arrays.items()}  # right scale for what it keeps
    elif mistake == "gradient through another mask":
        arrays["grad:input"] = right_dropout(case, p, seed=2)["grad:input"]
    else:
        arrays["grad:input"] = arrays["grad:input"] * (1 - p)
    found = {c.quantity: c for c in checks.dropout_checks(spec, case, arrays, 1e-10)}
    assert not found[quantity].passed, f"{mistake}: {found[quantity]}"


@pytest.mark.parametrize("dtype", DTYPES)
def test_dropout_training_mode_is_random_in_every_framework_and_checked_by_properties(compare, dtype):
    run = compare(["dropout"], dtype=dtype)
    for r in by_backend(run).values():
        train = {c.quantity: c for c in r.checks if c.mode == "train"}
        assert set(train) == {"output", "dropped_fraction", "grad:input"}, explain(r, run)
        assert train["dropped_fraction"].passed and train["dropped_fraction"].max_abs_err > 0, explain(r, run)


def test_dropout_mask_really_differs_between_frameworks(pool, tmp_path):
    """The reason for the property check: four frameworks, four masks (seeded, so each is reproducible)."""
    from harness.run import compare_backends

    run = compare_backends(pool, ["dropout"], backends.names(), "float32", 0, dump=tmp_path)
    masks = {b: np.load(tmp_path / "dropout" / f"{b}.train.npz")["output"] != 0 for b in backends.names()}
    names = list(masks)
    same = {(a, b) for i, a in enumerate(names) for b in names[i + 1:] if np.array_equal(masks[a], masks[b])}
    # but Keras on the torch engine: keras.random.dropout is torch's, drawn from the generator that
    # keras.utils.set_random_seed seeds as torch.manual_seed does, so with the same seed it is PyTorch's mask
    assert same == ({("torch", "keras_torch")} & {(a, b) for a in names for b in names}), same
    assert run.ok()


def test_case_state_is_drawn_per_buffer_and_positive_where_declared():
    spec = resolve("batch_norm_concise")[0]
    a, b = make_case(spec, 0, "float64", "train"), make_case(spec, 0, "float64", "eval")
    assert np.array_equal(a.state["running_var"], b.state["running_var"])  # the mode does not move the draw
    var = a.state["running_var"]
    assert (var >= 0.5).all() and (var <= 1.5).all(), var  # drawn from uniform:0.5:1.5: positive, away from 0
    assert (a.state["running_mean"] < 0).any(), a.state["running_mean"]  # drawn normal: positivity is per buffer
    assert not np.allclose(a.new_state["running_mean"], a.state["running_mean"])  # training moves it
    assert np.array_equal(b.new_state["running_mean"], b.state["running_mean"])  # evaluation does not
    # what the positive variance is for: evaluation normalises by exactly the drawn statistics (eps 1e-5)
    x, w, bias = b.inputs["x"], b.params["weight"], b.params["bias"]
    want = (x - b.state["running_mean"]) / np.sqrt(b.state["running_var"] + 1e-5) * w + bias
    np.testing.assert_allclose(b.outputs["output"], want, rtol=1e-12, atol=0)


def test_a_declared_divergence_cannot_hide_a_larger_error(monkeypatch):
    """A divergence declared up to 1e-7 cannot explain an error of 0.5."""
    spec = resolve("mlp")[0]
    result = Result("mlp", "flax", "pass", checks=[checks.Check("output", 0.5, 0.5, False, mode="eval")])
    monkeypatch.setattr(backends.info("flax"), "DIVERGENCES", {("mlp", "eval", "output"): ("tiny: rounding", 1e-7)})
    apply_divergences(result, spec, "flax", "float32")
    assert result.status == "fail" and "declared divergent up to 1e-07" in result.checks[0].note


def test_a_declared_divergence_does_not_vote(compare):
    """With two backends, Gluon's declared evaluation-mode input gradient must not drag the consensus (the
    median of two is their mean) away from torch's right one."""
    run = compare(["batch_norm_concise"], ["torch", "gluon"])
    torch = by_backend(run)["torch"]
    assert not torch.failing(), explain(torch, run)
    assert by_backend(run)["gluon"].status == "divergent"
