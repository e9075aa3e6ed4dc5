"""Flax (linen) realisations: ``nn.Module`` with ``setup``/``__call__``, as in the book's JAX edition."""

from harness.optim import Rule
from harness.recurrent import fused_bias_train_divergences

LABEL = "Flax"
REQUIRES = ("jax", "flax")
ENV = ".venv"
# The worker's environment (harness/pool.py): what the user's shell may not change. None removes a variable.
# JAX_ENABLE_X64 included: the adapter enables x64 itself; JAX_DEFAULT_MATMUL_PRECISION, JAX_DISABLE_JIT and
# XLA_FLAGS (--xla_cpu_enable_fast_math) change what is computed; JAX_PLATFORMS=cuda fails on this CPU build.
ENVIRON = {"JAX_*": None, "XLA_*": None, "TPU_*": None, "JAX_PLATFORMS": "cpu", "CUDA_VISIBLE_DEVICES": ""}
# Why parameter shapes may be unknown before the first call (d2l §6.4; harness.teach.before_call)
LAZY = "flax has no parameters before init(key, X): every shape comes from the sample input"
GAPS: dict = {}
TOLERANCES: dict = {}
DIVERGENCES: dict = {}
# nn.RNN's cells hold one bias per gate where PyTorch holds two (the GRU's n gate keeps both)
TRAIN_DIVERGENCES = fused_bias_train_divergences(
    ("rnn", "lstm", "gru", "deep_gru", "bi_gru", "seq2seq_encoder"))
# optax computes Adam's bias corrections 1 - beta**count in the step's dtype: without x64 (a float32 run) the
# powers are float32, and 1 - 0.999 moves by 1.3e-5 relative (an update by 6e-6: measured); with x64, float64.
OPTIMIZER_RULE = {"float32": Rule(float32=frozenset({"beta_powers"}))}

