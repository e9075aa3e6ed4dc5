"""Make this example's two weight files (run from anywhere with the suite's .venv; both are committed):

* ``weights.safetensors``: the PyTorch realisation's ``state_dict`` from ``torch.manual_seed(0)``, the
  canonical weights (PyTorch names and layouts);
* ``converted.weights.h5``: those weights converted by hand for the Keras realisation, the way a hurried
  converter does it, with a classic mistake: each Linear weight (out, in) is *reshaped* to the Dense
  kernel's shape (in, out) instead of transposed. The shapes fit, Keras loads it without a word, and the
  outputs are wrong. ``python compare.py ... --native keras=converted.weights.h5`` names the mistake.
"""

import importlib.util
import os
import pathlib

os.environ.setdefault("KERAS_BACKEND", "tensorflow")
HERE = pathlib.Path(__file__).resolve().parent


def realisation(fw):
    path = HERE / "backends" / fw / "squeeze_excitation.py"
    spec = importlib.util.spec_from_file_location(f"example_{fw}_se", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.SqueezeExcitation


def canonical_weights():
    import torch
    from safetensors.torch import save_file

    torch.manual_seed(0)
    model = realisation("torch")()
    save_file(model.state_dict(), str(HERE / "weights.safetensors"))


def converted_checkpoint():
    import keras
    import numpy as np
    from safetensors.numpy import load_file

    w = load_file(str(HERE / "weights.safetensors"))
    model = realisation("keras")()
    model(np.zeros((1, 6, 6, 8), np.float32))  # creates the weights
    for i, layer in zip((0, 2), model.excite.layers):
        weight = w[f"excite.{i}.weight"]
        kernel = weight.reshape(weight.shape[1], weight.shape[0])  # the mistake: should be weight.T
        layer.set_weights([kernel, w[f"excite.{i}.bias"]])
    model.save_weights(str(HERE / "converted.weights.h5"))
    print(f"wrote {HERE / 'converted.weights.h5'} (keras {keras.__version__})")


if __name__ == "__main__":
    canonical_weights()
    converted_checkpoint()
