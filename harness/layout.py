"""Canonical (ONNX/PyTorch) <-> native layouts, as plain NumPy. Each transform comes with its inverse.

Verified facts these rely on are in ../shared/FRAMEWORK_CONVENTIONS.md (items 1 and 4) and re-checked by
tests/test_layout.py against the frameworks themselves.
"""

from __future__ import annotations

import numpy as np


def nchw_to_nhwc(x):
    return np.ascontiguousarray(np.moveaxis(x, 1, -1))


def nhwc_to_nchw(x):
    return np.ascontiguousarray(np.moveaxis(x, -1, 1))


def dense_kernel(weight):
    """Linear weight (out, in) -> Dense kernel (in, out)."""
    return np.ascontiguousarray(weight.T)


def dense_weight(kernel):
    return np.ascontiguousarray(kernel.T)


def conv_kernel(weight):
    """Conv weight (O, I, kH, kW) -> (kH, kW, I, O) as flax and Keras store it."""
    return np.ascontiguousarray(weight.transpose(2, 3, 1, 0))


def conv_weight(kernel):
    return np.ascontiguousarray(kernel.transpose(3, 2, 0, 1))


def flatten_permutation(chw: tuple) -> np.ndarray:
    """perm[j] = the (C, H, W)-order index of the j-th feature of an (H, W, C) flatten."""
    c, h, w = chw
    return np.arange(c * h * w).reshape(c, h, w).transpose(1, 2, 0).ravel()


def flattened_dense_kernel(weight, chw: tuple):
    """Linear weight (out, C*H*W) reading an NCHW flatten -> kernel (H*W*C, out) reading an NHWC flatten."""
    return np.ascontiguousarray(weight.T[flatten_permutation(chw)])


def flattened_dense_weight(kernel, chw: tuple):
    return np.ascontiguousarray(kernel[np.argsort(flatten_permutation(chw))].T)
