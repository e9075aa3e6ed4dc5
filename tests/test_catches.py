"""The harness must fail when something is wrong: each test here breaks one thing on purpose."""

import numpy as np
import pytest

from harness import report
from harness.data import make_case
from harness.spec import DTYPES
from specs import resolve
from tests.conftest import by_backend, explain


@pytest.mark.parametrize("dtype", DTYPES)
def test_data_attr_variant_fails_on_parameter_gradients_only(compare, dtype):
    """d2l's MyLinear with weight.data: right outputs, parameter gradients absent (None) or zero."""
    run = compare(["my_linear_data_attr"], dtype=dtype)
    for b, r in by_backend(run).items():
        failing = {c.quantity for c in r.failing()}
        assert r.status == "fail", explain(r, run)
        assert failing == {"grad:weight", "grad:bias"}, f"{b}: expected only parameter gradients to fail, got {failing}"


def test_perturbed_weight_in_one_backend_is_reported_for_that_backend_only(compare):
    case = make_case(resolve("mlp")[0], seed=0, dtype="float32")
    w = case.params["hidden.weight"].copy()
    # One weight of 5120, as a slip in a hand-written map would do, in a hidden unit that is active for
    # this input: a unit whose ReLU is off for every row does not take part in the function at all.
    live = int(np.argmax(case.inputs["x"][0] @ w.T + case.params["hidden.bias"]))
    w[live, 7] += 0.05
    run = compare(["mlp"], overrides={("mlp", "keras"): {"param:hidden.weight": w}})
    results = by_backend(run)
    bad = results.pop("keras")
    assert bad.status == "fail" and "output" in {c.quantity for c in bad.failing()}, explain(bad, run)
    assert results, "no other backend ran beside keras: nothing shows that only keras is blamed"
    for b, r in results.items():
        assert r.status == "pass", f"{b} should not be blamed for keras's weight: {explain(r, run)}"


def test_nan_input_is_never_agreement(compare):
    case = make_case(resolve("centered_layer")[0], seed=0, dtype="float32")
    x = case.inputs["x"].copy()
    x[0, 0] = np.nan
    run = compare(["centered_layer"], ["torch", "flax"], overrides={("centered_layer", "flax"): {"input:x": x}})
    r = by_backend(run)["flax"]
    assert r.status == "fail"
    assert any("NaN" in c.note for c in r.failing()), explain(r, run)
    assert by_backend(run)["torch"].status == "pass"


def test_every_backend_reports_its_native_names(compare):
    """The inventory shows each framework's own names and layouts, e.g. flax kernels are (in, out)."""
    run = compare(dtype="float32")
    native = {r.backend: {p["canonical"]: p for p in r.native_params} for r in run.results if r.spec == "mlp"}
    expected = {
        "torch": ("hidden.weight", [256, 20]),
        "flax": ("params/hidden/kernel", [20, 256]),
        "flax_nnx": ("hidden/kernel", [20, 256]),
        "keras": ("hidden.kernel", [20, 256]),
        "gluon": ("hidden.weight", [256, 20]),
        "keras_jax": ("hidden.kernel", [20, 256]),  # the Keras realisation on another engine: Keras's names
        "keras_torch": ("hidden.kernel", [20, 256]),
    }
    assert set(native) == set(expected), f"mlp ran in {sorted(native)}, expected {sorted(expected)}"
    for b, (name, shape) in expected.items():
        assert native[b]["hidden.weight"]["native"] == name and native[b]["hidden.weight"]["shape"] == shape, b


def test_folded_activations_are_numbered_like_pytorch(compare):
    """Keras/Gluon `Dense(activation='relu')` stands for torch's Linear + ReLU: NestMLP's layers are net.0, net.2."""
    run = compare(dtype="float32")
    folded = [r for r in run.results if r.spec == "nest_mlp" and r.backend in ("keras", "gluon")]
    assert sorted(r.backend for r in folded) == ["gluon", "keras"], [(r.spec, r.backend) for r in folded]
    for r in folded:
        names = {p["canonical"]: p["native"] for p in r.native_params}
        assert names["net.2.weight"] in ("net.layers[1].kernel", "net.1.weight"), names



def test_a_declared_precision_limit_that_is_no_longer_needed_is_an_error(compare, monkeypatch):
    """Limits are read by the coordinator: declaring one where the framework is already exact must not pass."""
    import backends

    monkeypatch.setitem(backends.info("torch").TOLERANCES, ("mlp", "float64"), (1e-6, "pretend float32 math"))
    run = compare(["mlp"], ["torch", "flax"], dtype="float64", overrides={("mlp", "torch"): {}})
    r = by_backend(run)["torch"]
    assert r.status == "error" and "no longer needed" in r.reason, explain(r, run)
    assert by_backend(run)["flax"].status == "pass"


@pytest.mark.parametrize("backend", ["torch", "flax", "flax_nnx", "keras", "gluon"])
def test_a_one_backend_run_catches_a_wrong_gradient_by_its_directional_derivative(compare, backend):
    """A one-framework CI job has no consensus but itself (max|Δ| would be 0): the report says so, and the
    directional check against the float64 reference catches gradients mapped in the wrong gate order."""
    run = compare(["gru_gate_grads_unordered"], [backend])
    (r,) = run.results
    named = {"grad:rnn.weight_ih_l0", "grad:rnn.weight_hh_l0"}
    assert r.status == "fail" and named <= {c.quantity for c in r.failing()}, explain(r, run)
    assert all(c.fd_rel_err > 1e-2 for c in r.failing() if c.quantity in named)
    assert "No cross-framework consensus for " + backend in report.table(run)
