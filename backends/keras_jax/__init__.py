"""Keras 3 on the JAX engine (``KERAS_BACKEND=jax``): backends/keras/'s realisations, unchanged."""

from backends import keras as _keras
from harness.optim import Rule

LABEL = "Keras/JAX"
REQUIRES = ("keras", "jax")
ENV = ".venv"
REALISATIONS = "keras"
DEFAULT = False  # an engine of Keras, run with --backends all or by name
# Keras's pins (a private KERAS_HOME, no user keras.json) and JAX's (the adapter enables x64 itself;
# JAX_DEFAULT_MATMUL_PRECISION, JAX_DISABLE_JIT, XLA_FLAGS change what is computed).
ENVIRON = {**_keras.ENVIRON, "JAX_*": None, "TPU_*": None, "JAX_PLATFORMS": "cpu", "KERAS_BACKEND": "jax"}
LAZY = _keras.LAZY  # the same Keras layers: they build their weights at the first call
GAPS = {("rnn", "float64"): (
    "keras.layers.SimpleRNN cannot run in float64 on the JAX engine: its tanh returns float32 (see TOLERANCES), "
    "so the state that jax.lax.scan carries is float64 in and float32 out, which scan refuses (TypeError: scan "
    "body function carry input and carry output must have equal types). GRU and LSTM cast their state back.")}
# float64: the largest relative error measured per block (compare.py and compare.py train, --dtype float64)
_FLOAT64_MEASURED = {
    "centered_layer": 1.5e-09, "batch_norm": 1.1e-07, "batch_norm_conv": 6.0e-08, "batch_norm_concise": 2.2e-07,
    "layer_norm": 1.9e-07, "bn_lenet_scratch": 1.4e-06, "bn_lenet": 4.8e-06, "residual": 2.2e-06,
    "residual_1x1": 2.3e-06, "residual_1x1_s2": 1.3e-06, "resnet": 1.6e-06, "conv_block": 2.1e-07,
    "dense_block": 9.9e-07, "transition_block": 1.3e-07, "lstm": 1.9e-07, "lstm_scratch": 1.1e-07,
    "lstm_scratch_zero_state": 2.3e-07, "gru": 8.6e-08, "gru_scratch": 8.5e-08, "gru_scratch_zero_state": 9.5e-08,
    "deep_gru": 8.1e-08, "bi_gru": 8.6e-08, "seq2seq_encoder": 1.0e-07, "additive_attention": 1.7e-07,
    "multihead_attention_builtin": 1.7e-07, "add_norm": 1.8e-07, "transformer_encoder_block": 2.5e-07,
}
TOLERANCES = _keras.float64_limits(_FLOAT64_MEASURED, (
    "keras.backend.result_type maps float64 to float32 (to match JAX without x64), and the JAX engine's ops that "
    "take their compute dtype from it compute a float64 input in float32 even with x64 on: ops.mean and ops.var "
    "accumulate in float32, ops.tanh, ops.cos and keras.activations.tanh return float32 (tests/test_engines.py): "
    "every block with a mean, a tanh or a normalisation is float32-accurate."))
DIVERGENCES: dict = {}
TRAIN_DIVERGENCES = _keras.TRAIN_DIVERGENCES
# Keras's Adam adds eps before the bias correction on every engine; TensorFlow's tf.cast of a Python float goes
# through float32 (backends/keras), this engine's does not for the beta powers (measured in float64: a float32
# beta^t puts its Adam steps 6.7e-6 of an update off).
# In a float32 run the beta powers are float32 like the variables (as flax's without x64: harness.optim.rule_of).
OPTIMIZER_RULE = {"float32": Rule(adam_eps="before bias correction", float32=frozenset({"beta_powers"})),
                  "float64": Rule(adam_eps="before bias correction")}
