"""Keras 3 realisations (TensorFlow backend): ``keras.Model``/``Layer`` with ``call``."""

import math

from harness.optim import Rule
from harness.recurrent import fused_bias_train_divergences

LABEL = "Keras"
REQUIRES = ("keras", "tensorflow")
ENV = ".venv"
# The worker's environment (harness/pool.py): what the user's shell may not change. None removes a variable.
# KERAS_HOME is a private, empty folder: a user's keras.json ("image_data_format": "channels_first", floatx,
# epsilon) would change every layer's defaults. TensorFlow's own settings take its defaults:
# TF_ENABLE_ONEDNN_OPTS (which kernels, their rounding), XLA and determinism flags, a legacy tf.keras.
ENVIRON = {"KERAS_*": None, "XLA_*": None, "TF_ENABLE_ONEDNN_OPTS": None, "TF_XLA_FLAGS": None,
           "TF_DETERMINISTIC_OPS": None, "TF_USE_LEGACY_KERAS": None, "TF_CUDNN_*": None,
           "TF_NUM_INTRAOP_THREADS": None, "TF_NUM_INTEROP_THREADS": None, "TF_CPP_*": None,
           "KERAS_BACKEND": "tensorflow", "KERAS_HOME": "{private}/keras", "TF_CPP_MIN_LOG_LEVEL": "3",
           "CUDA_VISIBLE_DEVICES": ""}
# Why parameter shapes may be unknown before the first call (d2l §6.4; harness.teach.before_call)
LAZY = "a layer without an input shape builds its weights on its first call"
GAPS: dict = {}
TOLERANCES = {
    ("gelu_mlp", "float64"): (1e-7, "keras.activations.gelu is off by up to 5.0e-9 (absolute, on [-6, 6]) in "
                              "float64 although tf.math.erf is exact there: its constants are float32"),
    ("multihead_attention_builtin", "float64"): (
        1e-7, "MultiHeadAttention's TensorFlow kernel applies its scale 1/sqrt(key_dim), a Python float, through "
        "tf.cast, which makes a float32 tensor first: the scale is off by 1.2e-8 (relative) in float64, outputs by "
        "1.5e-9, gradients by 1.4e-8"),
}
DIVERGENCES: dict = {}
# SimpleRNN and LSTM cells hold one bias (GRU with reset_after=True keeps both, and trains exactly)
TRAIN_DIVERGENCES = fused_bias_train_divergences(("rnn", "lstm"))
# keras.optimizers.Adam documents lr_t = lr * sqrt(1 - beta_2^t) / (1 - beta_1^t), p -= lr_t * m / (sqrt(v) + eps).
# ops.cast(self.momentum, dtype) and ops.cast(self.beta_1, dtype) go through a float32 tensor (measured:
# float64 SGD-momentum steps off by 1.4e-8, Adam steps by 6.7e-6 relative, 0 with these rounded).
OPTIMIZER_RULE = Rule(adam_eps="before bias correction", float32=frozenset({"momentum", "beta_powers"}))



def float64_limits(measured: dict, why: str) -> dict:
    """TOLERANCES of a Keras engine that computes some float64 ops in float32: block -> the largest relative
    error measured in float64 (seed 0, compare.py and compare.py train), held to ten times that, rounded up to
    1, 2 or 5 times a power of ten. These are float32 rounding errors, which another CPU's kernels move by a
    few times, and every verdict keeps 3x from its threshold (harness.run.fragile): at three times the
    measured maximum, the training step's gradients sat at the threshold's edge."""
    def bound(e):
        top = 10 * e
        power = 10.0 ** math.floor(math.log10(top))
        return next(m * power for m in (1, 2, 5, 10) if m * power >= top)
    return {(block, "float64"): (bound(e), f"{why} Measured here: {e:.1e}") for block, e in measured.items()}
