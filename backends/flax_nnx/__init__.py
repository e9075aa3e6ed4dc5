"""Flax NNX realisations: ``nnx.Module`` with ``__init__(..., *, rngs)``/``__call__``, as current Flax docs
write them; shown beside the book's linen code (docs/nnx.md says what NNX changes, measured)."""

from harness.optim import Rule
from harness.recurrent import fused_bias_train_divergences

LABEL = "Flax NNX"
REQUIRES = ("jax", "flax")
ENV = ".venv"
DEFAULT = False  # not one of the book's four frameworks: run with --backends all or by name
BESIDE = "flax"  # its column sits right after linen's in every view (backends.names)
# The worker's environment (harness/pool.py): the same pins as linen's (backends/flax/__init__.py).
ENVIRON = {"JAX_*": None, "XLA_*": None, "TPU_*": None, "JAX_PLATFORMS": "cpu", "CUDA_VISIBLE_DEVICES": ""}
GAPS: dict = {}
TOLERANCES = {
    ("multihead_attention_builtin", "float64"): (
        1e-6, "nnx.dot_product_attention hands an attention without dropout or sown weights to "
        "jax.nn.dot_product_attention, whose XLA kernel always takes the softmax in float32 (linen's keeps the "
        "inputs' dtype): in float64 the output is off by 2.2e-8 (relative), gradients by up to 2.1e-7 "
        "(seeds 0-3, measured)"),
}
DIVERGENCES: dict = {}
# nnx.SimpleCell and the LSTM cells hold one bias per gate where PyTorch holds two; the GRU here is
# backends/flax_nnx/gru.py's cell, which holds both (nnx.GRUCell has no hidden bias at all: a trap).
TRAIN_DIVERGENCES = fused_bias_train_divergences(("rnn", "lstm"))
# optax, as for linen: without x64 (float32) Adam's bias corrections 1 - beta**count are float32.
OPTIMIZER_RULE = {"float32": Rule(float32=frozenset({"beta_powers"}))}
