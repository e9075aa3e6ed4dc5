"""Keras 3 realisations (TensorFlow backend): ``keras.Model``/``Layer`` with ``call``."""

LABEL = "Keras"
REQUIRES = ("keras", "tensorflow")
ENV = ".venv"
GAPS: dict = {}
TOLERANCES = {
    ("gelu_mlp", "float64"): (1e-7, "keras.activations.gelu is off by up to 5.0e-9 (absolute, on [-6, 6]) in "
                              "float64 although tf.math.erf is exact there: its constants are float32"),
    ("multihead_attention_builtin", "float64"): (
        1e-7, "MultiHeadAttention's TensorFlow kernel applies its scale 1/sqrt(key_dim), a Python float, through "
        "tf.cast, which makes a float32 tensor first: the scale is off by 1.2e-8 (relative) in float64, outputs by "
        "1.5e-9, gradients by 1.4e-8"),
}
