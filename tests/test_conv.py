"""Convolutions and layouts: the padding rules the references encode, the classic NCHW/NHWC porting
mistakes (each must be reported failing), that Flax and Keras really run NHWC, and max-pool ties."""

import dataclasses
import importlib

import numpy as np
import pytest

import harness.run
from harness import layout
from harness.adapter import Request
from harness.data import make_case, reference_outputs
from harness.run import compare_backends
from harness.spec import MaxPoolTie
from harness.worker import realisation
from specs import resolve
from specs._ops import avg_pool2d, max_pool2d, same_padding
from tests.conftest import by_backend, explain


@pytest.mark.parametrize("n, k, s, pads", [  # docs/conventions/conv.md §2, verified in every framework
    (7, 3, 1, (1, 1)), (8, 4, 1, (1, 2)), (8, 3, 2, (0, 1)), (7, 3, 2, (1, 1)), (8, 4, 2, (1, 1)),
    (7, 4, 2, (1, 2)), (7, 2, 2, (0, 1)),
])
def test_same_padding_puts_the_odd_pixel_after(n, k, s, pads):
    assert same_padding((n,), (k,), (s,)) == (pads,)


def test_pooling_references_count_and_ignore_padding_as_verified():
    ones = np.ones((1, 1, 4, 4))
    pad = ((1, 1), (1, 1))
    assert avg_pool2d(ones, (3, 3), (1, 1), pad, count_include_pad=True)[0, 0, 0, 0] == pytest.approx(4 / 9)
    assert avg_pool2d(ones, (3, 3), (1, 1), pad, count_include_pad=False)[0, 0, 0, 0] == pytest.approx(1.0)
    with pytest.warns(MaxPoolTie):  # a constant map is all ties
        assert np.all(max_pool2d(-5 * ones, (3, 3), (2, 2), pad) == -5)  # padding never wins a max


@pytest.mark.parametrize("variant, spec_name, wrong_from", [
    ("lenet_relu_kernel_untransposed", "lenet_relu", "conv1"),
    ("lenet_relu_flatten_unpermuted", "lenet_relu", "fc1"),
])
def test_classic_nhwc_porting_mistakes_are_reported_failing(compare, variant, spec_name, wrong_from):
    """The weight map's two classic mistakes load without complaint (the shapes fit) and must fail; the
    right map, in the same run, passes. Torch and Gluon store canonically: nothing to get wrong there."""
    run = compare([spec_name, variant])
    assert wrong_from in resolve(spec_name)[0].taps
    for r in by_backend(run, spec_name).values():
        assert r.status == "pass", explain(r, run)
    results, about = by_backend(run, variant), resolve(variant)[1].backends
    assert {"flax", "keras"} <= set(about) <= set(results), f"{variant}: about {about}, ran in {sorted(results)}"
    for b, r in results.items():
        if b in about:
            assert r.status == "fail" and "output" in {c.quantity for c in r.failing()}, explain(r, run)
            # where the run itself localises the mistake, not the variant's declaration of it
            tap = (r.first_divergence or {}).get("tap")
            assert tap == wrong_from == resolve(variant)[1].expected_tap, f"{variant}[{b}]: first divergence {tap}"
        else:
            assert r.status == "skipped", f"{variant}[{b}]: {r.status}"


@pytest.mark.parametrize("variant", ["conv_same_stride2_symmetric", "conv_same_even_symmetric",
                                     "avg_pool_same_excludes_pad"])
def test_padding_conventions_are_exposed_not_hidden(compare, variant):
    """The book's symmetric 'same' and Keras's padding-excluding average differ from the spec: they fail
    on the output. With the even kernel the shapes differ (7x7, not 8x8): a failed shape check, not a
    framework's error about the cotangent."""
    run = compare([variant])
    ran = [r for r in by_backend(run, variant).values() if r.status != "skipped"]
    assert ran, "the variant ran nowhere"
    for r in ran:
        assert r.status == "fail" and r.failing()[0].quantity == "output", explain(r, run)
    if variant == "conv_same_even_symmetric":
        assert all(r.failing()[0].note == "shape (2, 1, 7, 7) != expected (2, 1, 8, 8)" for r in ran)


def test_flax_and_keras_hold_conv_kernels_as_kh_kw_i_o(compare):
    """What the frameworks themselves hold, as the JSON inventory reports it."""
    run = compare(["lenet_relu"])
    shapes = {b: {p["canonical"]: tuple(p["shape"]) for p in r.native_params}
              for b, r in by_backend(run, "lenet_relu").items()}
    assert shapes["flax"]["conv2.weight"] == shapes["keras"]["conv2.weight"] == (5, 5, 6, 16)
    assert shapes["torch"]["conv2.weight"] == shapes["gluon"]["conv2.weight"] == (16, 6, 5, 5)
    assert shapes["flax"]["fc1.weight"] == shapes["keras"]["fc1.weight"] == (256, 120)


@pytest.mark.parametrize("backend", ["flax", "keras"])
def test_flax_and_keras_realisations_read_channels_from_the_last_axis(backend):
    """conv_1x1 has C = H = W = 3, so an NCHW array fits an NHWC model. Handed the canonical NCHW array
    itself (sent pre-transposed the other way, so that the adapter's transpose undoes it), the framework's
    output is exactly the reference applied to that array read as NHWC, and wrong: the framework, not a
    flag of ours, contracts over the last axis."""
    adapter = importlib.import_module(f"backends.{backend}.adapter").Adapter()
    spec = resolve("conv_1x1")[0]
    case = make_case(spec, seed=0, dtype="float64")
    factory = realisation(backend, spec, None)
    right = adapter.run(Request(spec, factory, case.arrays(), "float64")).arrays["output"]
    np.testing.assert_allclose(right, case.outputs["output"], rtol=1e-12)

    x = case.inputs["x"]
    arrays = {**case.arrays(), "input:x": layout.nhwc_to_nchw(x)}  # the model receives x itself
    wrong = adapter.run(Request(spec, factory, arrays, "float64")).arrays["output"]
    read_as_nhwc = reference_outputs(spec, {"x": layout.nhwc_to_nchw(x)}, case.params, {})[0]["output"]
    np.testing.assert_allclose(wrong, read_as_nhwc, rtol=1e-12)
    assert np.abs(wrong - case.outputs["output"]).max() > 0.1


def test_a_max_pool_tie_fails_every_gradient_check_with_a_note(pool, monkeypatch):
    """Frameworks agree on a tie (all send the gradient to the first maximum), so agreement proves nothing
    there: the spec's no-ties assumption is checked, and a tie is reported on every gradient check."""
    real = make_case

    def tied(spec, seed, dtype, mode="eval", given=None):
        case = real(spec, seed, dtype, mode, given)
        x = case.inputs["x"].copy()
        x[0, 0, 0, 0] = x[0, 0, 1, 1] = 9.0  # both in the first window (rows/columns -1..1)
        outputs, _, ties = reference_outputs(spec, {"x": x}, case.params, case.constants)
        return dataclasses.replace(case, inputs={"x": x}, outputs=outputs, ties=ties)

    monkeypatch.setattr(harness.run, "make_case", tied)
    run = compare_backends(pool, ["max_pool"], ["torch", "flax", "keras", "gluon"])
    assert {r.backend for r in run.results} == {"torch", "flax", "keras", "gluon"}, run.results
    for r in run.results:
        failing = {c.quantity: c.note for c in r.failing()}
        assert r.status == "fail" and set(failing) == {"grad:input"}, explain(r, run)
        assert "max-pool tie in 1 window(s), first at (n, c, h, w) = (0, 0, 0, 0)" in failing["grad:input"]
