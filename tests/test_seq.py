"""Sequences and attention: the recurrent weight maps would be caught if wrong, layouts round-trip, masks
mean what the specs say, and several inputs and outputs survive the whole trip."""

import os
import subprocess

import numpy as np
import pytest

import backends
import specs
from harness import checks, faults, layout, recurrent, teach
from harness.adapter import BindingError, Slot, check_slots
from harness.data import make_case, run_reference
from harness.pool import ROOT
from harness.protocol import load_arrays
from harness.run import compare_backends
from tests.conftest import explain

RNN_GRADS = {f"grad:rnn.{p}_l0" for p in recurrent.PARTS}


# --- every adapter's gate and bias map, broken on purpose, is reported on the parameter it breaks ----------
@pytest.mark.parametrize("variant, named, gradient_only", [
    pytest.param("gru_gates_zrn", RNN_GRADS, False, id="gate-blocks-swapped-on-load"),
    pytest.param("gru_gate_grads_unordered", RNN_GRADS, True, id="gate-blocks-swapped-on-the-way-back"),
    pytest.param("lstm_bias_hh_dropped", {"grad:rnn.bias_hh_l0"}, False, id="bias_hh-not-loaded"),
    pytest.param("lstm_bias_hh_grad_dropped", {"grad:rnn.bias_hh_l0"}, True, id="bias_hh-gets-no-gradient"),
])
def test_a_wrong_recurrent_map_fails_on_the_named_gradient(compare, variant, named, gradient_only):
    """Each adapter makes the mistake (all four at once, so no vote can save them): the named gradients
    must be off the float64 reference itself, and the outputs too unless only the way back is wrong."""
    run = compare([variant])
    assert {r.backend for r in run.results} == set(backends.names())
    for r in run.results:
        failing = {c.quantity for c in r.failing()}
        assert r.status == "fail" and named <= failing, explain(r, run)
        by_quantity = {c.quantity: c for c in r.checks}
        off = {q for q in named if (by_quantity[q].fd_rel_err or 0) > checks.fd_limit(r.tolerance, "float32")}
        assert off == named, f"{variant}[{r.backend}]: not off the reference: {sorted(named - off)}"
        outputs_fail = {q for q in failing if q.startswith("output")}
        if gradient_only:  # the values went in right: every output agrees, only the named gradients do not
            assert failing == named, f"{variant}[{r.backend}]: expected exactly {sorted(named)}, got {sorted(failing)}"
        else:
            assert outputs_fail, f"{variant}[{r.backend}]: the outputs agree: the adapter did not load the mistake"


def test_keras_gru_that_applies_the_reset_gate_first_is_refused_with_the_reason():
    """reset_after=False computes another function: the map must say so, never approximate it."""
    code = ("import keras\n"
            "from backends.keras.adapter import Adapter\n"
            "from backends.keras.gru import GRU\n"
            "from harness.adapter import BindingError, Request\n"
            "class GRUResetBefore(GRU):  # the port's mistake: reset_after=False\n"
            "    def __init__(self, num_inputs, num_hiddens):\n"
            "        super().__init__(num_inputs, num_hiddens)\n"
            "        self.rnn = keras.layers.GRU(num_hiddens, return_sequences=True, return_state=True,\n"
            "                                    reset_after=False)\n"
            "from harness.data import make_case\n"
            "from specs import resolve\n"
            "spec = resolve('gru')[0]\n"
            "try:\n"
            "    Adapter().run(Request(spec, GRUResetBefore, make_case(spec, 0, 'float32').arrays(), 'float32'))\n"
            "except BindingError as e:\n"
            "    print('refused:', e)\n")
    proc = subprocess.run([str(ROOT / ".venv" / "bin" / "python"), "-c", code], capture_output=True, text=True,
                          cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)}, timeout=300)
    assert "refused: gru[keras]: rnn.cell is a GRU with reset_after=False" in proc.stdout, proc.stdout + proc.stderr
    assert "no weights make it compute PyTorch's GRU" in proc.stdout


def test_the_inventory_shows_how_each_framework_holds_the_canonical_weights(compare):
    run = compare(dtype="float32")
    native = {(r.spec, r.backend): {p["canonical"]: (p["native"], p["shape"]) for p in r.native_params}
              for r in run.results}
    assert native[("gru", "keras")]["rnn.bias_ih_l0, rnn.bias_hh_l0"] == ("rnn.cell.bias", [2, 48])
    assert native[("lstm", "keras")]["rnn.bias_ih_l0 + rnn.bias_hh_l0"] == ("rnn.cell.bias", [64])
    assert native[("gru", "flax")]["rnn.bias_ih_l0[r] + rnn.bias_hh_l0[r]"] == ("params/rnn/cell/ir/bias", [16])
    assert native[("gru", "flax")]["rnn.bias_hh_l0[n]"] == ("params/rnn/cell/hn/bias", [16])
    assert native[("bi_gru", "gluon")]["rnn.weight_ih_l0_reverse"] == ("rnn.r0_i2h_weight", [48, 8])
    assert native[("deep_gru", "flax")]["rnn.weight_hh_l1[z]"] == ("params/rnn_1/cell/hz/kernel", [16, 16])
    qkv = "attention.W_q.weight, attention.W_k.weight, attention.W_v.weight"
    assert native[("multihead_attention_builtin", "torch")][qkv] == ("attention.in_proj_weight", [300, 100])
    assert native[("multihead_attention_builtin", "keras")]["attention.W_q.weight"] == (
        "attention.query.kernel", [100, 5, 20])


def test_the_teaching_view_names_what_holds_each_canonical_parameter(compare):
    """A fused bias is shown under both canonical biases, flax's gate kernels under the weight they split,
    and a framework's totals count each native tensor once."""
    run = compare(dtype="float32")
    block = next(b for b in teach.blocks(run) if b.name == "lstm")
    rows = teach.mapping(block)
    by_name = {r.canonical: r for r in rows}
    fused = ("rnn.cell.bias <- rnn.bias_ih_l0 + rnn.bias_hh_l0", (64,))
    assert by_name["rnn.bias_ih_l0"].native["keras"] == by_name["rnn.bias_hh_l0"].native["keras"] == fused
    assert by_name["rnn.weight_ih_l0"].native["flax"][1] == ((8, 16),) * 4
    assert by_name["rnn.weight_ih_l0"].native["gluon"] == ("rnn.l0_i2h_weight", (64, 8))
    assert teach.totals(rows) == (4, 64 * 8 + 64 * 16 + 64 + 64)
    assert teach.totals(rows, "keras") == (3, 64 * 8 + 64 * 16 + 64)  # one bias where PyTorch has two
    assert teach.totals(rows, "flax") == (12, 64 * 8 + 64 * 16 + 64)  # a Dense per gate and side, 4 biases


# --- several inputs and outputs, layouts and per-layer states, end to end -----------------------------
def test_several_inputs_and_outputs_cross_in_canonical_layout(pool, tmp_path):
    """LSTM: three inputs (X time-major, H and C per layer) and three outputs, in a time-major framework
    and in a batch-major one that keeps states without a layer axis; the dump is canonical for both."""
    run = compare_backends(pool, ["lstm"], ["torch", "keras"], dump=tmp_path)
    assert sorted(r.backend for r in run.results) == ["keras", "torch"], run.results
    assert all(r.status == "pass" for r in run.results), [explain(r, run) for r in run.results]
    d = tmp_path / "lstm"
    inputs = load_arrays(d / "inputs.npz")
    assert sorted(inputs) == ["C", "H", "X", "cotangent:c_n", "cotangent:h_n", "cotangent:output"]
    got = {b: load_arrays(d / f"{b}.npz") for b in ("torch", "keras")}
    shapes = {"output:output": (5, 2, 16), "output:h_n": (1, 2, 16), "output:c_n": (1, 2, 16),
              "grad:input:X": (5, 2, 8), "grad:input:H": (1, 2, 16), "grad:input:C": (1, 2, 16)}
    for key, shape in shapes.items():
        assert got["keras"][key].shape == shape, key
        np.testing.assert_allclose(got["keras"][key], got["torch"][key], rtol=0, atol=1e-5, err_msg=key)


def test_layouts_round_trip():
    g = np.random.default_rng(0)
    x = g.standard_normal((5, 2, 8))
    assert layout.swap_time_batch(x).shape == (2, 5, 8)
    assert np.array_equal(layout.swap_time_batch(layout.swap_time_batch(x)), x)
    for states in (g.standard_normal((1, 2, 16)), g.standard_normal((2, 2, 16))):
        native = layout.split_states(states)
        assert isinstance(native, list) == (len(states) > 1)
        assert np.array_equal(layout.stack_states(native), states)


def test_head_axis_kernels_compute_the_same_projections():
    """The book's W_q (h*d, E) and W_o (E, h*d) against Keras's and flax's (E, h, d) and (h, d, E) kernels."""
    g = np.random.default_rng(1)
    x, w, wo = g.standard_normal((2, 3, 12)), g.standard_normal((12, 12)), g.standard_normal((12, 12))
    heads = np.einsum("bte,ehd->bthd", x, layout.heads_kernel(w, 4))
    assert np.allclose(heads.reshape(2, 3, 12), x @ w.T)  # head i = features [3i, 3i + 3), as the book splits
    assert np.allclose(np.einsum("bthd,hde->bte", heads, layout.heads_out_kernel(wo, 4)), (x @ w.T) @ wo.T)
    assert np.array_equal(layout.heads_weight(layout.heads_kernel(w, 4)), w)
    assert np.array_equal(layout.heads_out_weight(layout.heads_out_kernel(wo, 4)), wo)


def test_gate_orders_and_their_inverse():
    g = np.random.default_rng(2)
    w = g.standard_normal((48, 8))
    order = recurrent.gate_order("gru", ("z", "r", "n"))  # Keras
    assert order == [1, 0, 2]
    assert np.array_equal(recurrent.reorder(w, order)[:16], w[16:32])  # Keras's first block is PyTorch's z
    assert np.array_equal(recurrent.unorder(recurrent.reorder(w, order), order), w)


def test_recurrent_faults_rewrite_only_the_slots_they_are_about():
    """harness.faults.apply_fault on right maps: the GRU faults swap PyTorch's r and z blocks on the way in
    (gru_gates_zrn) or only on the way back (gru_gate_grads_unordered), and leave an LSTM alone; the
    bias_hh faults zero bias_hh's value or gradient, and nothing else."""
    w = np.random.default_rng(2).standard_normal((48, 8))
    swapped = np.concatenate([w[16:32], w[:16], w[32:]])

    def slot(kind, name="rnn.weight_ih_l0"):
        return Slot(name, name, w.shape, recurrent=kind)

    for fault, value, grad in (("gru_gates_zrn", swapped, swapped), ("gru_gate_grads_unordered", w, swapped)):
        gru, lstm = slot("gru"), slot("lstm")
        faults.apply_fault(fault, [gru, lstm])
        assert np.array_equal(gru.native_value({gru.canonical: w}), value)
        assert np.array_equal(gru.gradients(w)[gru.canonical], grad)
        assert np.array_equal(lstm.native_value({lstm.canonical: w}), w)
        assert np.array_equal(lstm.gradients(w)[lstm.canonical], w)
    to_native, from_native = recurrent.fused_bias()
    b = np.arange(1.0, 5.0)
    for fault, value, grads in (("rnn_bias_hh_dropped", b, (b, b)), ("rnn_bias_hh_grad_dropped", 2 * b, (b, 0 * b))):
        fused = Slot("b", "cell/bias", (4,), sources=("rnn.bias_ih_l0", "rnn.bias_hh_l0"), to_native=to_native,
                     from_native=from_native, recurrent="lstm")
        weight = slot("lstm")
        faults.apply_fault(fault, [fused, weight])
        assert np.array_equal(fused.native_value({"rnn.bias_ih_l0": b, "rnn.bias_hh_l0": b}), value)
        assert all(np.array_equal(fused.gradients(b)[c], g) for c, g in zip(fused.sources, grads))
        assert np.array_equal(weight.native_value({weight.canonical: w}), w)


def test_a_fused_bias_hands_its_gradient_to_both_and_is_checked_one_to_one():
    spec = specs.resolve("lstm")[0]
    to_native, from_native = recurrent.fused_bias()
    fused = Slot("b", "cell/bias", (64,), sources=("rnn.bias_ih_l0", "rnn.bias_hh_l0"),
                 to_native=to_native, from_native=from_native)
    values = {"rnn.bias_ih_l0": np.ones(64), "rnn.bias_hh_l0": np.full(64, 2.0)}
    assert np.array_equal(fused.native_value(values), np.full(64, 3.0))
    g = np.arange(64.0)
    assert all(np.array_equal(v, g) for v in fused.gradients(g).values())
    weights = [Slot(f"rnn.{p}_l0", p, s) for p, s in (("weight_ih", (64, 8)), ("weight_hh", (64, 16)))]
    check_slots(spec, "test", [*weights, fused])
    with pytest.raises(BindingError, match=r"mapped twice \['rnn.bias_hh_l0'\]"):
        check_slots(spec, "test", [*weights, fused, Slot("rnn.bias_hh_l0", "h/bias", (64,))])
    with pytest.raises(BindingError, match=r"missing \['rnn.bias_ih_l0', 'rnn.bias_hh_l0'\]"):
        check_slots(spec, "test", weights)
    with pytest.raises(BindingError, match=r"expected native shape \(64,\) for cell/bias .* but it is \(32,\)"):
        check_slots(spec, "test", [*weights, Slot("b", "cell/bias", (32,), sources=fused.sources,
                                                  to_native=to_native, from_native=from_native)])


# --- what the specs claim about their own data ------------------------------------------------------------
MASKED = [s.name for s in specs.all_specs() if "valid_lens" in s.inputs]
assert MASKED, "no spec has a valid_lens input: the masking test below would test nothing"


@pytest.mark.parametrize("name", MASKED)
def test_valid_lengths_are_at_least_one_and_mask_something(name):
    spec = specs.resolve(name)[0]
    case = make_case(spec, 0, "float32")
    assert case.inputs["valid_lens"].min() >= 1  # a query with no key at all differs between frameworks
    unmasked = run_reference(spec, {**case.inputs, "valid_lens": np.full_like(case.inputs["valid_lens"], 10**6)},
                             case.params, case.constants)
    assert any(not np.allclose(unmasked[k], case.outputs[k]) for k in case.outputs), f"{name}: the mask changes nothing"
