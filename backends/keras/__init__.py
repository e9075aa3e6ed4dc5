"""Keras 3 realisations (TensorFlow backend): ``keras.Model``/``Layer`` with ``call``."""

LABEL = "Keras"
REQUIRES = ("keras", "tensorflow")
ENV = ".venv"
GAPS: dict = {}
TOLERANCES = {
    ("gelu_mlp", "float64"): (1e-7, "keras.activations.gelu is off by up to 5.0e-9 (absolute, on [-6, 6]) in "
                              "float64 although tf.math.erf is exact there: its constants are float32"),
}
