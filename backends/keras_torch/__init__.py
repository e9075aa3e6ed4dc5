"""Keras 3 on the PyTorch engine (``KERAS_BACKEND=torch``): backends/keras/'s realisations, unchanged."""

from backends import keras as _keras

LABEL = "Keras/torch"
REQUIRES = ("keras", "torch")
ENV = ".venv"
REALISATIONS = "keras"
DEFAULT = False  # an engine of Keras, run with --backends all or by name
# Keras's pins (a private KERAS_HOME, no user keras.json) and PyTorch's (its SIMD kernels, TORCH_* flags).
ENVIRON = {**_keras.ENVIRON, "ATEN_CPU_CAPABILITY": None, "TORCH_*": None, "PYTORCH_*": None,
           "KERAS_BACKEND": "torch"}
GAPS: dict = {}
TOLERANCES: dict = {}
DIVERGENCES: dict = {}
TRAIN_DIVERGENCES = _keras.TRAIN_DIVERGENCES
OPTIMIZER_RULE = _keras.OPTIMIZER_RULE
