"""Float64 NumPy building blocks for the references, written to be read next to the four realisations.

Layouts are canonical (ONNX/PyTorch): ``linear`` takes a weight of shape (out, in).
"""

import numpy as np


def linear(x, weight, bias=None):
    """y = x W^T + b, as torch.nn.Linear."""
    y = x @ weight.T
    return y if bias is None else y + bias


def relu(x):
    return np.maximum(x, 0.0)


def sigmoid(x):
    return 1.0 / (1.0 + np.exp(-x))


def no_tap(name, value):
    """The default ``tap``: records nothing."""
    return value
