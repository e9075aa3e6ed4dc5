"""d2l §11.3: softmax over the last axis, ignoring keys past each valid length."""

import jax.numpy as jnp
from flax import nnx


def masked_softmax(X, valid_lens):
    """Perform softmax operation by masking elements on the last axis."""
    # X: 3D tensor, valid_lens: 1D or 2D tensor
    if valid_lens is None:
        return nnx.softmax(X, axis=-1)
    shape = X.shape
    if valid_lens.ndim == 1:
        valid_lens = jnp.repeat(valid_lens, shape[1])
    else:
        valid_lens = valid_lens.reshape(-1)
    # On the last axis, replace masked elements with a very large negative value
    X = X.reshape(-1, shape[-1])
    mask = jnp.arange(shape[-1])[None, :] < valid_lens[:, None]
    return nnx.softmax(jnp.where(mask, X, -1e6).reshape(shape), axis=-1)
