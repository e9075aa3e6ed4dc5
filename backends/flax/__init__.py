"""Flax (linen) realisations: ``nn.Module`` with ``setup``/``__call__``, as in the book's JAX edition."""

from harness.recurrent import fused_bias_train_divergences

LABEL = "Flax"
REQUIRES = ("jax", "flax")
ENV = ".venv"
GAPS: dict = {}
TOLERANCES: dict = {}
DIVERGENCES: dict = {}
# nn.RNN's cells hold one bias per gate where PyTorch holds two (the GRU's n gate keeps both)
TRAIN_DIVERGENCES = fused_bias_train_divergences(
    ("rnn", "lstm", "gru", "deep_gru", "bi_gru", "seq2seq_encoder"))

