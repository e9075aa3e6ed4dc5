"""Keras 3 on the JAX engine (``KERAS_BACKEND=jax``): backends/keras/'s realisations, unchanged."""

from backends import keras as _keras

LABEL = "Keras/JAX"
REQUIRES = ("keras", "jax")
ENV = ".venv"
REALISATIONS = "keras"
DEFAULT = False  # an engine of Keras, run with --backends all or by name
# Keras's pins (a private KERAS_HOME, no user keras.json) and JAX's (the adapter enables x64 itself;
# JAX_DEFAULT_MATMUL_PRECISION, JAX_DISABLE_JIT, XLA_FLAGS change what is computed).
ENVIRON = {**_keras.ENVIRON, "JAX_*": None, "TPU_*": None, "JAX_PLATFORMS": "cpu", "KERAS_BACKEND": "jax"}
GAPS: dict = {}
TOLERANCES: dict = {}
DIVERGENCES: dict = {}
TRAIN_DIVERGENCES = _keras.TRAIN_DIVERGENCES
OPTIMIZER_RULE = _keras.OPTIMIZER_RULE
