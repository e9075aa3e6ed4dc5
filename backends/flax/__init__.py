"""Flax (linen) realisations: ``nn.Module`` with ``setup``/``__call__``, as in the book's JAX edition."""

LABEL = "Flax"
REQUIRES = ("jax", "flax")
ENV = ".venv"
GAPS: dict = {}
TOLERANCES: dict = {}
DIVERGENCES: dict = {}

# Blocks whose training step cannot be checked per canonical parameter: block -> why (skipped by train)
_FUSED = ("holds bias_ih + bias_hh as one parameter (nn.RNN's cells): forward and gradients map exactly "
          "through the sum, but an optimizer step moves that sum by one update where PyTorch and MXNet "
          "move each of the two, so the sum by two (FRAMEWORK_CONVENTIONS.md, trap 11). Its training "
          "cannot be compared per canonical parameter: skipped by compare.py train, never a pass")
TRAIN_GAPS = {name: _FUSED for name in ('rnn', 'lstm', 'gru', 'deep_gru', 'bi_gru', 'seq2seq_encoder')}
