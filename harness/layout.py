"""Canonical (ONNX/PyTorch) <-> native layouts, as plain NumPy. Each transform comes with its inverse.

Verified facts these rely on are in docs/conventions/README.md (items 1 and 4) and re-checked by
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


def swap_time_batch(x):
    """A time-major sequence (T, N, C) <-> batch-major (N, T, C); its own inverse."""
    return np.ascontiguousarray(np.swapaxes(x, 0, 1))


def split_states(a):
    """A recurrent state (layers * directions, N, H) -> one (N, H) array per layer and direction, or the
    array itself when there is only one (Keras ``initial_state``, flax carries)."""
    return a[0] if len(a) == 1 else list(a)


def stack_states(a):
    """The inverse of ``split_states`` (also accepts the per-layer arrays already stacked)."""
    if isinstance(a, (list, tuple)):
        return np.stack([np.asarray(x) for x in a])
    return a[None] if a.ndim == 2 else a


# Multi-head projections: PyTorch's Linear weight (h*d, E_in) (the book's W_q, W_k, W_v) and W_o
# (E_out, h*d), heads as contiguous d-blocks; Keras's and flax's attention layers keep the head axis:
# kernels (E_in, h, d) and (h, d, E_out), biases (h, d) (docs/conventions/seq.md §2.2).
def heads_kernel(weight, heads: int):
    """Linear weight (h*d, E_in) -> kernel (E_in, h, d)."""
    return np.ascontiguousarray(weight.T.reshape(weight.shape[1], heads, -1))


def heads_weight(kernel):
    return np.ascontiguousarray(kernel.reshape(kernel.shape[0], -1).T)


def heads_out_kernel(weight, heads: int):
    """Output Linear weight (E_out, h*d) -> kernel (h, d, E_out)."""
    return np.ascontiguousarray(weight.T.reshape(heads, -1, weight.shape[0]))


def heads_out_weight(kernel):
    return np.ascontiguousarray(kernel.reshape(-1, kernel.shape[-1]).T)
