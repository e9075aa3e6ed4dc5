"""Flax NNX (backends/flax_nnx): off by default, beside linen, and the harness catches a wrong NNX weight map
or realisation. Runs on the session's workers (tests/conftest.py), a few blocks in flax_nnx alone."""

import backends
from tests.conftest import by_backend, explain


def test_nnx_is_named_but_not_run_by_default_and_sits_beside_linen():
    assert "flax_nnx" in backends.names() and "flax_nnx" not in backends.defaults()
    order = backends.names()
    assert order.index("flax_nnx") == order.index("flax") + 1, order


def test_a_wrong_nnx_weight_map_is_reported(compare):
    """bias_hh never loaded: nnx.LSTMCell's one bias per gate gets bias_ih instead of the sum."""
    run = compare(["lstm_bias_hh_dropped"], ["flax_nnx"])
    r = by_backend(run)["flax_nnx"]
    assert r.status == "fail" and r.first_divergence["tap"] == "output:output", explain(r, run)


def test_nnx_gru_cell_without_its_hidden_bias_is_reported(compare):
    """nnx.GRUCell as it is (no b_hn): a port that loads b_ih + b_hh into its one bias computes another GRU."""
    run = compare(["gru_nnx_no_hidden_bias"], ["flax_nnx"])
    r = by_backend(run)["flax_nnx"]
    failing = {c.quantity for c in r.failing()}
    assert r.status == "fail" and {"output:output", "grad:rnn.bias_hh_l0"} <= failing, explain(r, run)


def test_nnx_knows_every_shape_before_the_first_call(compare):
    """No lazy initialisation in NNX: lazy_mlp's shapes exist at construction (nnx.eval_shape)."""
    run = compare(["lazy_mlp"], ["flax_nnx"])
    r = by_backend(run)["flax_nnx"]
    assert r.status == "pass", explain(r, run)
    assert all(e["known_before_call"] for e in r.native_params), r.native_params
