"""Keras 3 on the PyTorch engine (``KERAS_BACKEND=torch``): backends/keras/'s realisations, unchanged."""

from backends import keras as _keras
from harness.optim import Rule

LABEL = "Keras/torch"
REQUIRES = ("keras", "torch")
ENV = ".venv"
REALISATIONS = "keras"
DEFAULT = False  # an engine of Keras, run with --backends all or by name
# Keras's pins (a private KERAS_HOME, no user keras.json) and PyTorch's (its SIMD kernels, TORCH_* flags).
ENVIRON = {**_keras.ENVIRON, "ATEN_CPU_CAPABILITY": None, "TORCH_*": None, "PYTORCH_*": None,
           "KERAS_BACKEND": "torch"}
LAZY = _keras.LAZY  # the same Keras layers: they build their weights at the first call
GAPS: dict = {}
# float64: the largest relative error measured per block (compare.py and compare.py train, --dtype float64)
_FLOAT64_MEASURED = {
    "gelu_mlp": 3.0e-07, "dropout_mlp": 2.5e-07, "chimera": 3.9e-07, "fixed_hidden_mlp": 3.4e-07, "mlp": 1.7e-07,
    "my_sequential": 2.7e-07, "nest_mlp": 2.1e-07, "centered_layer": 1.5e-09, "my_linear": 2.7e-07,
    "lenet": 3.7e-07, "lenet_relu": 2.1e-07, "batch_norm": 6.5e-08, "batch_norm_conv": 6.9e-08,
    "batch_norm_concise": 2.0e-07, "layer_norm": 1.7e-07, "bn_lenet_scratch": 5.6e-06, "bn_lenet": 8.8e-06,
    "residual": 3.8e-06,
    "residual_1x1": 1.0e-06, "residual_1x1_s2": 1.2e-06,  # from the training step (its conv2 gradient)
    "resnet": 8.9e-07,
    "conv_block": 2.2e-07, "dense_block": 4.1e-07, "transition_block": 2.4e-07, "rnn": 2.1e-07,
    "deep_gru": 1.1e-07, "seq2seq_encoder": 9.2e-08, "additive_attention": 5.5e-07,
    "dot_product_attention": 2.7e-07, "dot_product_attention_all_keys": 3.2e-07, "multihead_attention": 6.0e-07,
    "multihead_attention_per_query": 4.8e-07, "multihead_attention_all_keys": 6.1e-07,
    "multihead_attention_builtin": 2.7e-07, "add_norm": 1.9e-07, "position_wise_ffn": 1.4e-07,
    "transformer_encoder_block": 4.1e-07,
    # d2l §6.2-6.4 (tied, lazy and initialised MLPs): every Dense's matmul (compare.py --dtype float64)
    "tied": 3.0e-07, "init_normal": 1.1e-07, "init_constant": 8.4e-08, "init_xavier_42": 1.0e-07,
    "init_custom": 1.7e-07, "init_xavier_mlp": 3.1e-07, "port_init": 2.6e-07, "lazy_mlp": 2.8e-07,
}
TOLERANCES = _keras.float64_limits(_FLOAT64_MEASURED, (
    "keras.backend.result_type maps float64 to float32 (to match JAX without x64), and the torch engine's "
    "ops.matmul, ops.dot and batched matmuls cast float64 operands to it before torch.matmul, ops.mean and ops.var "
    "accumulate in float32 (tests/test_engines.py): every Dense layer, attention score, mean and normalisation is "
    "float32-accurate; convolutions and poolings are not affected."))
DIVERGENCES: dict = {}
TRAIN_DIVERGENCES = _keras.TRAIN_DIVERGENCES
# Keras's Adam adds eps before the bias correction on every engine; TensorFlow's tf.cast of a Python float goes
# through float32 (backends/keras), this engine's does not (measured in float64: a float32 beta^t puts its Adam
# steps 6.7e-6 of an update off, a float32 momentum its SGD steps 1.4e-8).
# In a float32 run the beta powers are float32 like the variables (as flax's without x64: harness.optim.rule_of).
OPTIMIZER_RULE = {"float32": Rule(adam_eps="before bias correction", float32=frozenset({"beta_powers"})),
                  "float64": Rule(adam_eps="before bias correction")}
