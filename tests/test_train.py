"""The training step: every block trains alike in every framework, with each optimizer, in both dtypes;
the float64 update rules are the documented ones; and the training traps are caught where they show."""

import dataclasses

import numpy as np
import pytest

import backends
import specs
from harness import optim
from harness.spec import DTYPES
from tests.conftest import by_backend, cli, explain

CASES = [pytest.param(s, b, d, id=f"{s}-{b}-{d}") for d in DTYPES for s in specs.names() for b in backends.names()]


@pytest.mark.parametrize("spec_name, backend, dtype", CASES)
def test_training_steps_agree(train, spec_name, backend, dtype):
    run = train(dtype=dtype)
    found = [r for r in run.results if r.spec == spec_name and r.backend == backend]
    assert [r.optimizer for r in found] == list(optim.OPTIMIZERS)
    for r in found:
        if r.status == "skipped":
            pytest.skip(f"{backend}: {r.reason}")
        assert r.status in ("pass", "divergent") and not r.failing(), explain(r, run)
        steps = {c.quantity.split(":")[0] for c in r.checks}
        assert steps == {f"step{k}" for k in range(1, optim.STEPS + 1)}
        spec = specs.resolve(spec_name)[0]
        quantities = {c.quantity for c in r.checks}
        assert {f"step1:{p}" for p in spec.params} <= quantities, "every parameter after every step"
        assert {f"step1:state:{b}" for b in spec.state} <= quantities
        names = optim.OPTIMIZERS[r.optimizer].state_names
        assert {f"step2:{n}:{p}" for n in names for p in spec.params} <= quantities, "the optimizer state"


def test_what_an_engine_keeps_per_block_serves_that_block_only():
    """A block's compiled gradient (Adapter.per_block) serves its other optimizers and other arrays, never
    another block, realisation, dtype, mode, seed, fault, trap, taps or arrays' shapes or dtypes, nor another
    kind of request."""
    from harness.adapter import Adapter, Request

    spec = specs.resolve("batch_norm")[0]
    adapter = Adapter()
    first = Request(spec, factory=object, arrays={"param:w": 1}, mode="eval", optimizer="sgd")
    kept = adapter.per_block(first, "loss gradient")
    kept["grads"] = "traced for batch_norm"
    other_optimizer = dataclasses.replace(first, optimizer="adam", arrays={"param:w": 2})
    assert adapter.per_block(other_optimizer, "loss gradient") is kept
    assert adapter.per_block(first, "forward and backward") == {}
    others = [dict(spec=specs.resolve("layer_norm")[0]), dict(factory=type), dict(dtype="float64"),
              dict(mode="train"), dict(seed=1), dict(fault="gru_gates_zrn"), dict(trap=optim.TRAPS[0].name),
              dict(taps=True), dict(arrays={"param:w": np.ones(2)}), dict(arrays={"param:w": 1.0})]
    for change in others:
        assert adapter.per_block(dataclasses.replace(first, **change), "loss gradient") == {}, change


def test_a_worker_keeps_what_it_made_for_its_last_blocks_only():
    """Adapter.per_block holds the last PER_BLOCK_KEPT blocks, the least recently used dropped first and all
    of a block's kinds of request together (its model with its compiled programs), so that a session's
    workers do not keep every model and program of every block, dtype, seed and fault they met."""
    from harness.adapter import Adapter, Request

    adapter, n = Adapter(), Adapter.PER_BLOCK_KEPT
    assert n >= 3, "a block's optimizers and reruns come together: fewer could drop what the next request needs"
    first = Request(specs.resolve("batch_norm")[0], factory=object, arrays={}, mode="eval")
    adapter.per_block(first, "model")["model"] = "built"
    adapter.per_block(first, "loss gradient")["jit"] = "compiled"
    others = [dataclasses.replace(first, seed=s) for s in range(1, 2 * n + 1)]
    for other in others[:n - 1]:
        adapter.per_block(other, "model")
    assert adapter.per_block(first, "model") == {"model": "built"}, "n blocks are kept"
    adapter.per_block(others[n - 1], "model")  # one more: the least recently used goes, not first (just used)
    assert adapter.per_block(first, "loss gradient") == {"jit": "compiled"}
    for other in others[n:]:  # n more
        adapter.per_block(other, "model")
    assert adapter.per_block(first, "model") == {} and adapter.per_block(first, "loss gradient") == {}
    assert len(adapter._per_block) == n


TRAPS = [pytest.param(t, id=t.name) for t in optim.TRAPS]
assert TRAPS, "harness.optim.TRAPS is empty: no training trap would be tested"


@pytest.mark.parametrize("trap", TRAPS)
def test_training_trap_is_caught_on_its_quantity(train, trap):
    run = train([trap.name], dtype="float32")
    results = by_backend(run)
    assert trap.backend in results, f"{trap.name}: no result for {trap.backend}, only {sorted(results)}"
    for b, r in results.items():
        if b != trap.backend:
            assert r.status == "skipped"
            continue
        failing = {c.quantity for c in r.failing()}
        assert r.status == "fail" and trap.quantity in failing, explain(r, run)
        passing = {c.quantity for c in r.checks if c.passed}
        assert set(trap.passes) <= passing, f"{trap.name}: {trap.passes} should not see it:\n{explain(r, run)}"


@pytest.mark.parametrize("variant, about, quantity", [
    ("batch_norm_momentum_unconverted", ("flax", "keras", "gluon"), "step1:state:running_mean"),
    ("batch_norm_unbiased_var", ("torch",), "step1:state:moving_var"),
    ("batch_norm_keras_eps", ("keras",), "step1:loss"),
])
@pytest.mark.parametrize("dtype", DTYPES)
def test_stateful_mistake_is_caught_while_training(train, variant, about, quantity, dtype):
    run = train([variant], optimizers=("sgd",), dtype=dtype)
    results = by_backend(run)
    assert set(about) <= set(results), f"{variant}: no result for {sorted(set(about) - set(results))}"
    for b in about:
        r = results[b]
        assert r.status == "fail" and quantity in {c.quantity for c in r.failing()}, explain(r, run)


def test_a_framework_held_to_another_frameworks_rule_fails(pool, monkeypatch):
    """Break the update check on purpose: torch's Adam judged by Keras's documented rule."""
    from harness.train import train_backends

    monkeypatch.setattr(backends.info("torch"), "OPTIMIZER_RULE", backends.info("keras").OPTIMIZER_RULE,
                        raising=False)
    run = train_backends(pool, ["mlp"], ["torch"], ("adam",))
    (r,) = run.results
    assert r.status == "fail" and "step1:hidden.weight" in {c.quantity for c in r.failing()}, explain(r, run)


def test_adam_eps_placements_are_the_documented_identity():
    """Keras/MXNet's eps (before the bias correction) is PyTorch/optax's eps / sqrt(1 - beta2^t) after it."""
    g = np.random.default_rng(0)
    p, grads = g.standard_normal(50), [1e-4 * g.standard_normal(50) for _ in range(3)]
    opt = optim.OPTIMIZERS["adam"]
    before, after = optim.Rule("before bias correction"), optim.Rule("after bias correction")
    state_b = state_a = {}
    pb = pa = p
    for t, grad in enumerate(grads, 1):
        pb, state_b = optim.update(opt, before, t, pb, grad, state_b)
        shifted = dataclasses.replace(opt, eps=opt.eps / np.sqrt(1 - opt.betas[1] ** t))
        pa, state_a = optim.update(shifted, after, t, pa, grad, state_a)
        assert np.allclose(pb, pa, rtol=0, atol=1e-15)
        pa = pb
    unshifted = optim.update(opt, after, 1, p, grads[0], {})[0]
    assert np.abs(unshifted - optim.update(opt, before, 1, p, grads[0], {})[0]).max() > 1e-4 * opt.lr


def test_momentum_rule_is_torchs_buffer_with_coupled_weight_decay():
    opt = optim.OPTIMIZERS["momentum"]
    p0, g1, g2 = np.array([1.0, -2.0]), np.array([0.5, 0.25]), np.array([-1.0, 2.0])
    p1, s1 = optim.update(opt, optim.Rule(), 1, p0, g1, {})
    p2, s2 = optim.update(opt, optim.Rule(), 2, p1, g2, s1)
    buf1 = g1 + 0.01 * p0  # the first step: buf = g (+ wd p)
    buf2 = 0.9 * buf1 + g2 + 0.01 * p1
    assert np.allclose(s1["momentum_buffer"], buf1) and np.allclose(p1, p0 - 0.1 * buf1)
    assert np.allclose(s2["momentum_buffer"], buf2) and np.allclose(p2, p1 - 0.1 * buf2)


def test_float32_hyperparameters_move_the_rule_by_what_was_measured():
    """MXNet's 1 - float32(0.999) is 1.3e-5 away from 1e-3: the second moment moves by that much."""
    opt, g = optim.OPTIMIZERS["adam"], np.array([1.0])
    plain = optim.update(opt, optim.Rule(), 1, np.zeros(1), g, {})[1]["exp_avg_sq"]
    rounded = optim.update(opt, optim.Rule(float32=frozenset({"betas"})), 1, np.zeros(1), g, {})[1]["exp_avg_sq"]
    assert abs(rounded[0] / plain[0] - 1) == pytest.approx(1.29e-5, rel=0.01)


# --- the command line -----------------------------------------------------------------------------------


@pytest.mark.parametrize("args, needle", [
    (["train", "nope"], "unknown spec 'nope'. Expected one of: "),
    (["train", "--optimizer", "rmsprop"], "invalid choice: 'rmsprop'"),
    (["train", "--steps", "0"], "--steps must be at least 1, not 0"),
])
def test_train_bad_input_is_one_line_and_exit_2(args, needle):
    proc = cli(*args)
    assert proc.returncode == 2 and needle in proc.stderr and len(proc.stderr.strip().splitlines()) == 1, proc.stderr


def test_train_json_names_mode_optimizer_and_every_step(tmp_path):
    import json

    proc = cli("train", "batch_norm_concise", "--optimizer", "momentum", "--steps", "2", "--backends", "torch,keras",
               "--json", str(tmp_path / "t.json"))
    assert proc.returncode == 0, proc.stdout + proc.stderr  # torch's running_var is declared divergent
    doc = json.loads((tmp_path / "t.json").read_text())
    assert doc["command"] == "train" and doc["steps"] == 2 and doc["optimizers"]["momentum"]["weight_decay"] == 0.01
    status = {r["backend"]: r["status"] for r in doc["results"]}
    assert status == {"torch": "divergent", "keras": "pass"}
    for r in doc["results"]:
        assert r["optimizer"] == "momentum" and {c["mode"] for c in r["checks"]} == {"train"}
        quantities = {c["quantity"] for c in r["checks"]}
        assert {"step2:momentum_buffer:weight", "step2:state:running_var", "step1:loss"} <= quantities
    torch = next(r for r in doc["results"] if r["backend"] == "torch")
    assert [c["quantity"] for c in torch["checks"] if c.get("divergent")] == ["step1:state:running_var",
                                                                           "step2:state:running_var"]
    assert "Declared divergences" in proc.stdout and "reproduce" not in proc.stdout


def test_training_traps_are_caught_and_localised_in_the_catalogue(pool):
    from harness import traps

    found = traps.run_training_traps(pool, backends.names())
    assert {t.name for t in found} == {t.name for t in optim.TRAPS}
    for t in found:
        assert t.ok, f"{t.name}[{t.backend}]: {t.status}, first {t.first_divergence}, expected {t.expected_tap}"


def test_train_json_of_a_failing_run_is_valid(tmp_path):
    """A failing gradient check (numpy booleans) and later steps' presence checks still write strict JSON."""
    import json

    proc = cli("train", "my_linear_data_attr", "--optimizer", "sgd", "--backends", "torch,flax",
               "--json", str(tmp_path / "t.json"))
    assert proc.returncode == 1, proc.stdout + proc.stderr
    doc = json.loads((tmp_path / "t.json").read_text())
    failing = {(r["backend"], c["quantity"]) for r in doc["results"] for c in r["checks"] if not c["passed"]}
    assert ("flax", "step1:grad:weight") in failing and ("torch", "step1:grad:weight") in failing


@pytest.mark.parametrize("backend", ["keras", "flax"])
def test_one_bias_layers_train_as_pytorch_with_bias_hh_frozen(train, backend):
    """A fused b_ih + b_hh cannot be split; read as PyTorch with bias_hh frozen it trains exactly in bias_ih
    (float64, so nothing hides in rounding) and diverges, as declared, in bias_hh alone."""
    from harness.checks import base_quantity

    run = train(["lstm"], optimizers=("sgd",), dtype="float64")
    (r,) = [r for r in run.results if r.backend == backend]
    assert r.status == "divergent" and not r.failing(), explain(r, run)
    assert {base_quantity(c.quantity) for c in r.divergent()} == {"rnn.bias_hh_l0"}
    bias_ih = [c for c in r.checks if "bias_ih" in c.quantity]
    assert bias_ih and all(c.passed for c in bias_ih), bias_ih


def test_a_long_adam_run_is_checked_step_by_step_from_each_backends_own_state(train):
    """1000 Adam steps in float32: the frameworks take beta2 = 0.999 as a float32 (1 - beta2 off by 1.3e-5),
    so a float64 rule carrying its own second moment drifts 1e-5 away by step ~700 and failed correct
    backends. Each step's rule now starts from the optimizer state the backend reported after the last."""
    run = train(["mlp"], ["torch", "flax"], ("adam",), "float32", steps=1000)
    assert len(run.results) == 2
    for r in run.results:
        assert r.status == "pass", explain(r, run)
        late = [c for c in r.checks if c.quantity.startswith("step1000:exp_avg_sq:")]
        assert late and all(c.passed for c in late), late
