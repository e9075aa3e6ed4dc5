"""Keras's own weights file, loaded the way a user's code loads it: ``model.load_weights(path)``.

A ``.weights.h5`` file (``model.save_weights``) names each variable by the layer's place in the model
(its attribute path), so the file must come from the same model class; Keras refuses one whose layers or
shapes differ. It carries weights only, no configuration: a hyper-parameter such as a BatchNorm's
momentum cannot be read from it. The framework is imported only inside the functions.
"""


EXTENSIONS = (".weights.h5",)
HOW = "model.load_weights(path)"


def load(model, slots, path, dtype):
    model.load_weights(str(path))
    return model



def save(model, slots, path) -> None:
    model.save_weights(str(path))
