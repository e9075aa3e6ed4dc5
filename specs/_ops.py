"""Float64 NumPy building blocks for the references, written to be read next to the four realisations.

Layouts are canonical (ONNX/PyTorch): ``linear`` takes a weight of shape (out, in); feature maps are NCHW
and conv weights (O, I, kH, kW). Padding is always written out per side: ((top, bottom), (left, right)).
"""

import warnings

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


def batch_norm(X, gamma, beta, moving_mean, moving_var, eps, momentum, training):
    """d2l §8.5's ``batch_norm``: (Y, new moving_mean, new moving_var), PyTorch's momentum convention.

    Training: normalise by the batch mean and the *biased* batch variance, over axis 0 (fully connected,
    (N, C)) or axes (0, 2, 3) (convolutional, NCHW), and move the statistics by
    ``new = (1 - momentum) * old + momentum * batch``. Evaluation: normalise by the moving statistics,
    which stay as they are.
    """
    if not training:
        X_hat = (X - moving_mean) / np.sqrt(moving_var + eps)
        return gamma * X_hat + beta, moving_mean, moving_var
    axes = (0,) if X.ndim == 2 else (0, 2, 3)
    mean = X.mean(axis=axes, keepdims=True)
    var = ((X - mean) ** 2).mean(axis=axes, keepdims=True)
    X_hat = (X - mean) / np.sqrt(var + eps)
    shape = np.shape(moving_mean)  # (1, C) or (1, C, 1, 1) in the book's layer, (C,) in the built-in ones
    moving_mean = (1.0 - momentum) * moving_mean + momentum * mean.reshape(shape)
    moving_var = (1.0 - momentum) * moving_var + momentum * var.reshape(shape)
    return gamma * X_hat + beta, moving_mean, moving_var
# --- convolutions and pooling (NCHW, weights (O, I, kH, kW)) ------------------------------------------


class MaxPoolTie(UserWarning):
    """A max-pool window whose maximum occurs more than once: where the gradient goes is a convention.

    Every framework's pooling layer sends it to the first maximum (row-major), but a reduction written as
    ``max`` may split it or copy it (docs/conventions/conv.md, T17), and the reference loss has a kink
    there that no central difference can check. Specs assume no ties (random inputs have none); the
    harness turns this warning into a failing note on the gradient checks instead of a silent pass.
    """


def pad2d(x, padding, value=0.0):
    """Pad the last two axes by ((top, bottom), (left, right))."""
    return np.pad(x, ((0, 0), (0, 0), *padding), constant_values=value)


def windows(x, kernel, stride):
    """(N, C, H', W', kH, kW): every kH x kW window of x, stepping by stride."""
    view = np.lib.stride_tricks.sliding_window_view(x, kernel, axis=(2, 3))
    return view[:, :, ::stride[0], ::stride[1]]


def conv2d(x, weight, bias=None, stride=(1, 1), padding=((0, 0), (0, 0))):
    """Cross-correlation as torch.nn.Conv2d: out[n, o] = sum_{c,i,j} x[n, c, i, j] * weight[o, c, i, j]."""
    w = windows(pad2d(x, padding), weight.shape[2:], stride)  # (N, C, H', W', kH, kW)
    # = np.einsum("nchwij,ocij->nohw", w, weight), as one matrix product (10x faster)
    y = np.tensordot(w, weight, axes=((1, 4, 5), (1, 2, 3))).transpose(0, 3, 1, 2)
    return y if bias is None else y + bias[:, None, None]


def same_padding(size, kernel, stride):
    """TF/XLA 'SAME': the output has ceil(size / stride) positions; the odd padded pixel goes *after*."""
    pads = []
    for n, k, s in zip(size, kernel, stride):
        total = max((-(-n // s) - 1) * s + k - n, 0)
        pads.append((total // 2, total - total // 2))
    return tuple(pads)


def max_pool2d(x, kernel, stride, padding=((0, 0), (0, 0))):
    """Max over each window; padded cells are -inf, so they never win. Warns MaxPoolTie on a tie.

    A tie at exactly 0 is a window that a ReLU switched off entirely: every tied cell has derivative 0
    there, so whichever cell gets the gradient, nothing flows on. Those are common after a ReLU and not
    reported.
    """
    w = windows(pad2d(x, padding, -np.inf), kernel, stride)
    y = w.max(axis=(-2, -1))
    ties = ((w == y[..., None, None]).sum(axis=(-2, -1)) > 1) & (y != 0)
    if ties.any():
        where = tuple(int(i) for i in np.argwhere(ties)[0])
        warnings.warn(MaxPoolTie(f"max-pool tie in {int(ties.sum())} window(s), first at (n, c, h, w) = "
                                 f"{where}: value {y[where]:.6g} occurs more than once"), stacklevel=2)
    return y


def avg_pool2d(x, kernel, stride, padding=((0, 0), (0, 0)), count_include_pad=True):
    """Mean over each window of the zero-padded x, divided by the window size (count_include_pad=True,
    as torch, flax and gluon by default) or by the number of real, unpadded cells in it (False)."""
    total = windows(pad2d(x, padding), kernel, stride).sum(axis=(-2, -1))
    if count_include_pad:
        return total / (kernel[0] * kernel[1])
    real = windows(pad2d(np.ones((1, 1, *x.shape[2:])), padding), kernel, stride).sum(axis=(-2, -1))
    return total / real


def flatten(x):
    """(N, C, H, W) -> (N, C*H*W) in (C, H, W) order, as torch.nn.Flatten."""
    return x.reshape(x.shape[0], -1)


def batch_norm_layer(X, weight, bias, running_mean, running_var, training, eps=1e-5, momentum=0.1):
    """A built-in BatchNorm layer (``nn.BatchNorm1d/2d``): parameters and statistics of shape (C,), applied
    per feature of (N, C) or per channel of (N, C, H, W); statistics moved by ``batch_norm``'s rule."""
    shape = (1, -1) if X.ndim == 2 else (1, -1, 1, 1)
    Y, mean, var = batch_norm(X, weight.reshape(shape), bias.reshape(shape), running_mean.reshape(shape),
                              running_var.reshape(shape), eps, momentum, training)
    return Y, mean.reshape(-1), var.reshape(-1)
