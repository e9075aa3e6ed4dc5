"""Flax NNX against linen, by running both (docs/nnx.md): the defaults and layouts backends/flax_nnx relies on.

Each fact prints ``ok: <fact>``; the first that fails raises ``AssertionError("FAILED: ...")``.
``.venv/bin/python tests/conventions/check_nnx_main.py``
"""

import inspect

import jax
import jax.numpy as jnp
import numpy as np
from flax import linen as nn
from flax import nnx


def fact(ok, text):
    if not ok:
        raise AssertionError(f"FAILED: {text}")
    print(f"ok: {text}")


def default(f, name):
    return inspect.signature(f).parameters[name].default


x = jax.random.normal(jax.random.PRNGKey(1), (8, 6))

# --- BatchNorm -------------------------------------------------------------------------------------------
fact(default(nnx.BatchNorm.__init__, "momentum") == 0.99 == default(nn.BatchNorm, "momentum"),
     "BatchNorm momentum defaults to 0.99 in NNX and linen (PyTorch's momentum=0.1 is 0.9 in both)")
fact(default(nnx.BatchNorm.__init__, "epsilon") == 1e-5 == default(nn.BatchNorm, "epsilon"),
     "BatchNorm epsilon defaults to 1e-5 in NNX and linen (PyTorch's too)")
fact(default(nnx.BatchNorm.__init__, "use_fast_variance") is True is default(nn.BatchNorm, "use_fast_variance"),
     "BatchNorm use_fast_variance defaults to True in NNX and linen")
fact(default(nnx.BatchNorm.__init__, "use_running_average") is False,
     "nnx.BatchNorm starts in training mode (use_running_average=False); linen's has no default mode")
bn = nnx.BatchNorm(6, momentum=0.9, use_fast_variance=False, rngs=nnx.Rngs(0))
bn(x)
want = 0.9 * 1 + 0.1 * np.var(np.asarray(x), axis=0)
fact(np.allclose(bn.var[...], want, rtol=1e-6),
     "nnx.BatchNorm's running var is momentum * old + (1 - momentum) * the biased batch variance")
lbn = nn.BatchNorm(use_running_average=False, momentum=0.9, use_fast_variance=False)
v = lbn.init(jax.random.PRNGKey(0), x)
_, upd = lbn.apply(v, x, mutable=["batch_stats"])
fact(np.allclose(upd["batch_stats"]["var"], bn.var[...], rtol=1e-6) and
     np.allclose(upd["batch_stats"]["mean"], bn.mean[...], rtol=1e-6),
     "one training step leaves the same running statistics in nnx.BatchNorm and linen's nn.BatchNorm")
bn.eval()
fact(bn.use_running_average is True, "model.eval() sets BatchNorm's use_running_average=True")

# --- LayerNorm -------------------------------------------------------------------------------------------
fact(default(nnx.LayerNorm.__init__, "epsilon") == 1e-6 == default(nn.LayerNorm, "epsilon"),
     "LayerNorm epsilon defaults to 1e-6 in NNX and linen (PyTorch's 1e-5: the layer_norm_flax_eps trap)")
ln6, ln5 = nnx.LayerNorm(6, rngs=nnx.Rngs(0)), nnx.LayerNorm(6, epsilon=1e-5, use_fast_variance=False,
                                                                 rngs=nnx.Rngs(0))
gap = float(np.max(np.abs(ln6(x) - ln5(x))) / np.max(np.abs(ln5(x))))
fact(1e-7 < gap < 1e-4, f"nnx.LayerNorm's defaults move a unit-variance row by {gap:.1e} relative (float32)")
lln = nn.LayerNorm()
fact(np.allclose(lln.apply(lln.init(jax.random.PRNGKey(0), x), x), ln6(x), rtol=1e-6, atol=1e-7),
     "nnx.LayerNorm and linen's nn.LayerNorm at their defaults compute the same")

# --- Linear / Conv: layouts and initialisers -------------------------------------------------------------
lin = nnx.Linear(20, 256, rngs=nnx.Rngs(0))
fact(lin.kernel.shape == (20, 256) and lin.bias.shape == (256,), "nnx.Linear's kernel is (in, out), like linen's")
std = float(np.std(lin.kernel[...]))
fact(abs(std - 1 / np.sqrt(20)) < 0.02 and float(np.max(np.abs(lin.kernel[...]))) <= 2 / np.sqrt(20) / 0.87962566 * 1.0001,
     f"nnx.Linear's default kernel is lecun_normal (std {std:.3f} ~ 1/sqrt(fan_in)=0.224, truncated at 2 std of its unscaled normal)")
fact(not np.any(lin.bias[...]), "nnx.Linear's default bias is zeros (PyTorch draws U(-1/sqrt(in), 1/sqrt(in)))")
dense = nn.Dense(256)
lk = dense.init(jax.random.PRNGKey(0), jnp.ones((1, 20)))["params"]["kernel"]
fact(abs(float(np.std(lk)) - std) < 0.02, "linen's nn.Dense draws from the same lecun_normal")
conv = nnx.Conv(3, 8, kernel_size=(3, 3), rngs=nnx.Rngs(0))
fact(conv.kernel.shape == (3, 3, 3, 8), "nnx.Conv's kernel is (kH, kW, I, O), like linen's")
fact(default(nnx.Conv.__init__, "padding") == "SAME" == default(nn.Conv, "padding"),
     "Conv pads 'SAME' by default in NNX and linen (PyTorch: 0)")
fact(conv(jnp.ones((1, 5, 5, 3))).shape == (1, 5, 5, 8), "nnx.Conv takes NHWC input")
try:
    nnx.Linear(256, rngs=nnx.Rngs(0))
    needs_in = False
except TypeError:
    needs_in = True
fact(needs_in, "nnx.Linear needs in_features: NNX has no lazy shapes (linen and PyTorch's LazyLinear infer them)")
abstract = nnx.eval_shape(lambda: nnx.Linear(20, 256, rngs=nnx.Rngs(0)))
fact(abstract.kernel.shape == (20, 256), "nnx.eval_shape gives every shape before any call, allocating nothing")

# --- Dropout ---------------------------------------------------------------------------------------------
fact(default(nnx.Dropout.__init__, "deterministic") is False,
     "nnx.Dropout starts in training mode (deterministic=False); linen's needs deterministic= at the call")
ones = jnp.ones((64, 64))
drop = nnx.Dropout(0.5, rngs=nnx.Rngs(0))
m1, m2 = np.asarray(drop(ones)) != 0, np.asarray(drop(ones)) != 0
fact(not np.array_equal(m1, m2), "nnx.Dropout draws a new mask at every call (its rng stream's count advances)")
fresh = nnx.Dropout(0.5, rngs=nnx.Rngs(0))
fact(np.array_equal(np.asarray(fresh(ones)) != 0, m1), "the same nnx.Rngs seed gives the same first mask")
lm = np.asarray(nn.Dropout(0.5, deterministic=False).apply({}, ones, rngs={"dropout": jax.random.PRNGKey(0)})) != 0
agree = float(np.mean(lm == m1))
fact(not np.array_equal(lm, m1) and 0.4 < agree < 0.6,
     f"linen's nn.Dropout with PRNGKey(0) draws another mask than nnx.Rngs(0) ({agree:.2f} of positions agree)")
fact(abs(float(m1.mean()) - 0.5) < 0.05, f"nnx.Dropout(0.5) keeps {float(m1.mean()):.3f} of the values")
kept = np.asarray(fresh(ones))
fact(np.allclose(kept[kept != 0], 2.0), "nnx.Dropout scales the kept values by 1 / (1 - rate)")
drop.eval()
fact(np.array_equal(np.asarray(drop(ones)), np.asarray(ones)), "after model.eval() nnx.Dropout is the identity")

# --- MultiHeadAttention ----------------------------------------------------------------------------------
mha = nnx.MultiHeadAttention(num_heads=5, in_features=100, qkv_features=100, rngs=nnx.Rngs(0), decode=False)
shapes = {k: getattr(mha, k).kernel.shape for k in ("query", "key", "value", "out")}
fact(shapes == {"query": (100, 5, 20), "key": (100, 5, 20), "value": (100, 5, 20), "out": (5, 20, 100)},
     "nnx.MultiHeadAttention keeps a head axis: q/k/v kernels (in, heads, d), out (heads, d, out), as linen's")
fact(mha.query.bias.shape == (5, 20) and mha.out.bias.shape == (100,), "its biases are (heads, d) and (out,)")
fact("in_features" in inspect.signature(nnx.MultiHeadAttention.__init__).parameters and
     inspect.signature(nnx.MultiHeadAttention.__init__).parameters["in_features"].default is inspect.Parameter.empty,
     "nnx.MultiHeadAttention requires in_features (linen's reads it from the inputs)")
q = jax.random.normal(jax.random.PRNGKey(2), (2, 4, 100))
lmha = nn.MultiHeadDotProductAttention(num_heads=5, qkv_features=100)
lv = lmha.init(jax.random.PRNGKey(0), q, q, q)
for name in ("query", "key", "value", "out"):
    getattr(mha, name).kernel[...] = lv["params"][name]["kernel"]
    getattr(mha, name).bias[...] = lv["params"][name]["bias"]
fact(np.allclose(mha(q, q, q), lmha.apply(lv, q, q, q), rtol=1e-5, atol=1e-6),
     "with linen's weights nnx.MultiHeadAttention computes linen's output (scaled by 1/sqrt(d), softmax over keys)")
fact(default(nnx.MultiHeadAttention.__init__, "dropout_rate") == 0.0, "nnx.MultiHeadAttention's dropout_rate is 0")

# --- recurrent cells -------------------------------------------------------------------------------------
def tree(module):
    return {"/".join(map(str, p)): tuple(v.shape) for p, v in nnx.to_flat_state(nnx.state(module, nnx.Param))}


I, H = 3, 4
fact(tree(nnx.GRUCell(I, H, rngs=nnx.Rngs(0))) == {"dense_i/kernel": (I, 3 * H), "dense_i/bias": (3 * H,),
                                                   "dense_h/kernel": (H, 3 * H)},
     "nnx.GRUCell: dense_i (in, 3H) with a bias, dense_h (H, 3H) without one: no b_hn")
lg = nn.GRUCell(H).init(jax.random.PRNGKey(0), jnp.zeros((1, H)), jnp.zeros((1, I)))["params"]
fact(set(lg) == {"ir", "iz", "in", "hr", "hz", "hn"} and "bias" in lg["hn"] and "bias" not in lg["hr"],
     "linen's GRUCell: one Dense per gate and side, with b_hn inside r * (W_hn h + b_hn)")
cell = nnx.GRUCell(I, H, rngs=nnx.Rngs(0))
cell.dense_i.kernel[...] = jnp.concatenate([lg[g]["kernel"] for g in ("ir", "iz", "in")], axis=1)
cell.dense_i.bias[...] = jnp.concatenate([lg[g]["bias"] for g in ("ir", "iz", "in")])
cell.dense_h.kernel[...] = jnp.concatenate([lg[g]["kernel"] for g in ("hr", "hz", "hn")], axis=1)
h0, x0 = jax.random.normal(jax.random.PRNGKey(3), (2, H)), jax.random.normal(jax.random.PRNGKey(4), (2, I))
fact(np.allclose(cell(h0, x0)[0], nn.GRUCell(H).apply({"params": lg}, h0, x0)[0], rtol=1e-5, atol=1e-6),
     "nnx.GRUCell's gates are stacked (r, z, n), PyTorch's order, and compute linen's GRU when b_hn is 0")
lg_b = jax.tree_util.tree_map(lambda a: a, lg)
lg_b["hn"]["bias"] = jnp.full((H,), 0.5)
off = float(np.max(np.abs(cell(h0, x0)[0] - nn.GRUCell(H).apply({"params": lg_b}, h0, x0)[0])))
fact(off > 1e-2, f"with b_hn = 0.5 linen's GRU moves by {off:.2f}: nnx.GRUCell cannot hold it")
fact(tree(nnx.LSTMCell(I, H, rngs=nnx.Rngs(0))) ==
     {**{f"i{g}/kernel": (I, H) for g in ("i", "f_", "g", "o")},
      **{f"h{g}/kernel": (H, H) for g in ("i", "f", "g", "o")}, **{f"h{g}/bias": (H,) for g in ("i", "f", "g", "o")}},
     "nnx.LSTMCell: one Linear per gate and side (ii, if_, ig, io / hi, hf, hg, ho), the bias on the h side")
fact(tree(nnx.OptimizedLSTMCell(I, H, rngs=nnx.Rngs(0))) == {"dense_i/kernel": (I, 4 * H), "dense_h/kernel":
                                                             (H, 4 * H), "dense_h/bias": (4 * H,)},
     "nnx.OptimizedLSTMCell: gates stacked (i, f, g, o), PyTorch's order, one bias on dense_h")
lstm = nnx.LSTMCell(I, H, rngs=nnx.Rngs(0))
c0 = jnp.zeros((2, H))
(c1, h1), out = lstm((c0, h0), x0)
fact(np.allclose(out, h1) and not np.allclose(c1, h1), "an NNX LSTM carry is (c, h), the cell state first")
fact(tree(nnx.SimpleCell(I, H, rngs=nnx.Rngs(0))) == {"dense_i/kernel": (I, H), "dense_i/bias": (H,),
                                                      "dense_h/kernel": (H, H)},
     "nnx.SimpleCell: dense_i with the one bias, dense_h without; tanh")
rnn = nnx.RNN(nnx.SimpleCell(I, H, rngs=nnx.Rngs(0)), return_carry=True)
carry, ys = rnn(jnp.ones((2, 5, I)))
fact(ys.shape == (2, 5, H) and carry.shape == (2, H), "nnx.RNN is batch-major (time_major=False) and returns "
     "(carry, outputs) with return_carry=True")

# --- float64: the dtype a layer computes in (backends/flax_nnx/rnn.py, seq2seq_encoder.py, __init__.py) -------
with jax.enable_x64(True):
    fact(default(nnx.SimpleCell.__init__, "dtype") is jnp.float32 and default(nnx.GRUCell.__init__, "dtype") is None
         and default(nnx.LSTMCell.__init__, "dtype") is None,
         "nnx.SimpleCell's dtype defaults to float32, the other cells' to None (the inputs' and weights')")
    f64 = lambda m: [v.set_value(jnp.asarray(v.get_value(), jnp.float64)) for _, v in nnx.iter_graph(m)
                     if isinstance(v, nnx.Param)]
    simple = nnx.SimpleCell(I, H, rngs=nnx.Rngs(0))
    f64(simple)
    fact(simple(h0.astype(jnp.float64), x0.astype(jnp.float64))[0].dtype == jnp.float32,
         "nnx.SimpleCell with float64 weights and inputs computes in float32 (pass dtype)")
    embed = nnx.Embed(5, 3, rngs=nnx.Rngs(0))
    f64(embed)
    fact(embed.embedding[...].dtype == jnp.float64 and embed(jnp.array([1, 2])).dtype == jnp.float32
         and nn.Embed(5, 3).apply({"params": {"embedding": embed.embedding[...]}}, jnp.array([1, 2])).dtype
         == jnp.float64, "nnx.Embed fixes its lookup dtype when built (float32): a float64 table loaded later "
         "still gives float32 rows, where linen's nn.Embed gives the table's dtype")
    q, k, v = (jax.random.normal(jax.random.PRNGKey(s), (2, 5, 2, 4), jnp.float64) for s in (5, 6, 7))
    ours, linen_ = nnx.dot_product_attention(q, k, v), nn.dot_product_attention(q, k, v)
    rel = float(np.max(np.abs(ours - linen_)) / np.max(np.abs(linen_)))
    fact(ours.dtype == jnp.float64 and 1e-10 < rel < 1e-6
         and np.array_equal(ours, jax.nn.dot_product_attention(q, k, v)),
         f"in float64 nnx.dot_product_attention (no dropout, no sown weights) is jax.nn.dot_product_attention, "
         f"whose softmax is float32: {rel:.1e} from linen's")
