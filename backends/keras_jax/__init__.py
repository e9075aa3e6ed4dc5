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
GAPS = {("rnn", "float64"): (
    "keras.layers.SimpleRNN cannot run in float64 on the JAX engine: its tanh returns float32 (see TOLERANCES), "
    "so the state that jax.lax.scan carries is float64 in and float32 out, which scan refuses (TypeError: scan "
    "body function carry input and carry output must have equal types). GRU and LSTM cast their state back.")}
# float64: the largest relative error measured per block (compare.py --backends keras_jax --dtype float64)
_FLOAT64_MEASURED = {
    "gelu_mlp": 9.9e-08, "dropout_mlp": 1.2e-07, "chimera": 1.4e-07, "fixed_hidden_mlp": 7.2e-08, "mlp": 8.2e-08,
    "my_sequential": 5.7e-08, "nest_mlp": 1.0e-07, "centered_layer": 1.5e-09, "my_linear": 3.3e-08,
    "lenet": 1.9e-07, "lenet_relu": 1.1e-07, "batch_norm": 3.8e-08, "batch_norm_conv": 2.9e-08,
    "batch_norm_concise": 1.1e-07, "layer_norm": 9.9e-08, "bn_lenet_scratch": 3.1e-06, "bn_lenet": 6.2e-06,
    "residual": 5.7e-07, "residual_1x1": 3.1e-07, "residual_1x1_s2": 2.1e-07, "resnet": 5.6e-07,
    "conv_block": 1.5e-07, "dense_block": 1.9e-07, "transition_block": 1.1e-07, "lstm": 1.3e-07,
    "lstm_scratch": 1.0e-07, "lstm_scratch_zero_state": 1.2e-07, "gru": 5.8e-08, "gru_scratch": 8.1e-08,
    "gru_scratch_zero_state": 6.0e-08, "deep_gru": 7.5e-08, "bi_gru": 8.5e-08, "seq2seq_encoder": 9.9e-08,
    "additive_attention": 1.2e-07, "dot_product_attention": 5.0e-08, "dot_product_attention_all_keys": 1.6e-07,
    "multihead_attention": 3.0e-07, "multihead_attention_per_query": 2.4e-07,
    "multihead_attention_all_keys": 3.0e-07, "multihead_attention_builtin": 1.4e-07, "add_norm": 1.8e-07,
    "position_wise_ffn": 7.0e-08, "transformer_encoder_block": 2.2e-07,
}
TOLERANCES = _keras.float64_limits(_FLOAT64_MEASURED, (
    "keras.backend.result_type maps float64 to float32 (to match JAX without x64), and the JAX engine's ops that "
    "take their compute dtype from it compute a float64 input in float32 even with x64 on: ops.tanh, ops.cos, "
    "keras.activations.tanh return float32, ops.var computes in float32 (tests/test_engines.py); every block with"
    " a tanh, a variance or a normalisation is float32-accurate."))
DIVERGENCES: dict = {}
TRAIN_DIVERGENCES = _keras.TRAIN_DIVERGENCES
OPTIMIZER_RULE = _keras.OPTIMIZER_RULE
