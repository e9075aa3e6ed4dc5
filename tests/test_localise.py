"""The first diverging tap is named, in every framework, through each framework's own tap mechanism."""

import pytest

import backends
from harness import localise
from harness.checks import Check
from harness.data import make_case
from specs import resolve
from tests.conftest import explain

ALL = backends.names()


def perturbed(spec_name, param, factor=1.01):
    case = make_case(resolve(spec_name)[0], seed=0, dtype="float32")
    return {(spec_name, b): {f"param:{param}": case.params[param] * factor} for b in ALL}


@pytest.mark.parametrize("spec_name, param, tap", [
    ("nest_mlp", "net.2.weight", "net.2"),  # a Linear inside a Sequential (folded in Keras/Gluon)
    ("nest_mlp", "linear.weight", "linear"),  # taps before it agree, this one does not
    ("my_sequential", "2.weight", "output"),  # taps "0" (pre-ReLU) and "1" (post-ReLU) agree everywhere
    ("chimera", "1.weight", "1"),  # a Sequential of modules of every kind
    ("gelu_mlp", "hidden.bias", "hidden"),
], ids=lambda v: str(v))
def test_perturbed_weight_is_localised_in_every_framework(compare, spec_name, param, tap):
    run = compare([spec_name], overrides=perturbed(spec_name, param))
    assert sorted(r.backend for r in run.results) == sorted(ALL), [(r.spec, r.backend) for r in run.results]
    for r in run.results:
        assert r.status == "fail", explain(r, run)
        assert r.first_divergence and r.first_divergence["tap"] == tap, f"{r.backend}: {r.first_divergence}"


def test_passing_results_have_no_divergence(compare):
    run = compare(dtype="float32")
    passing = [r for r in run.results if r.status == "pass"]
    assert passing, "no result passed: nothing shows that a pass carries no divergence"
    assert all(r.first_divergence is None for r in passing), [(r.spec, r.backend) for r in passing
                                                              if r.first_divergence is not None]


def test_gradient_only_failure_walks_back_from_the_output():
    spec = resolve("nest_mlp")[0]

    def grads(failing):
        return [Check(f"grad:{q}", 0.1 if q in failing else 0.0, 0.1 if q in failing else 0.0, q not in failing)
                for q in ["input", *spec.params]]

    # the last module first: linear, then net.2, then net.0, then the input
    assert localise.backward(spec, grads({"net.0.weight", "net.2.bias"}))["tap"] == "net.2.bias"
    assert localise.backward(spec, grads({"net.0.weight", "linear.weight"}))["tap"] == "linear.weight"
    assert localise.backward(spec, grads({"input"}))["tap"] == "input"
    assert localise.backward(spec, grads(set())) is None


def test_a_tap_the_reference_never_passes_is_a_spec_error():
    spec = resolve("mlp")[0]
    import dataclasses

    broken = dataclasses.replace(spec, taps={"hidden": None, "nowhere": None})
    with pytest.raises(ValueError, match="nowhere"):
        localise.reference_taps(broken, make_case(spec, 0, "float32"))


def test_every_tap_agrees_with_the_reference_in_every_framework(compare):
    """Localisation is only as good as the taps: each one a framework exposes must match the reference on
    a correct realisation, and PyTorch, whose module names are the canonical ones, must expose them all."""
    run = compare(taps=True)

    def gap(r):  # a documented gap: nothing realised, nothing to tap
        return r.status == "skipped" and r.reason == backends.info(r.backend).GAPS.get(resolve(r.spec)[0].module)

    realised = [r for r in run.results if not gap(r)]
    in_torch = {r.spec for r in realised if r.backend == "torch"}
    assert in_torch and in_torch == {r.spec for r in run.results}, "torch's taps were not checked for every block"
    for r in realised:
        spec = resolve(r.spec)[0]
        tapped = {c.quantity.removeprefix("tap:") for c in r.checks if c.quantity.startswith("tap:")}
        # divergent: only through checks its backend declares (DIVERGENCES), never a tap
        assert r.status in ("pass", "divergent") and not r.failing(), explain(r, run)
        assert not any(c.divergent for c in r.checks if c.quantity.startswith("tap:")), explain(r, run)
        if r.backend == "torch":
            assert tapped == set(spec.taps), f"{r.spec}: torch exposes {sorted(tapped)}, spec has {list(spec.taps)}"
