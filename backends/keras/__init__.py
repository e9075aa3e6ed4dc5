"""Keras 3 realisations (TensorFlow backend): ``keras.Model``/``Layer`` with ``call``."""

LABEL = "Keras"
REQUIRES = ("keras", "tensorflow")
ENV = ".venv"
GAPS: dict = {}
