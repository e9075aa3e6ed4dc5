"""Flax (linen) realisations: ``nn.Module`` with ``setup``/``__call__``, as in the book's JAX edition."""

LABEL = "Flax"
REQUIRES = ("jax", "flax")
ENV = ".venv"
GAPS: dict = {}
TOLERANCES: dict = {}
