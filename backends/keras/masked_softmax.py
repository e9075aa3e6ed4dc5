"""d2l §11.3: softmax over the last axis, ignoring keys past each valid length."""

from keras import ops


def masked_softmax(X, valid_lens):
    """Perform softmax operation by masking elements on the last axis."""
    # X: 3D tensor, valid_lens: 1D or 2D tensor
    def _sequence_mask(X, valid_len, value=0):
        maxlen = X.shape[1]
        mask = ops.arange(maxlen, dtype=valid_len.dtype)[None, :] < valid_len[:, None]
        return ops.where(mask, X, value)

    if valid_lens is None:
        return ops.softmax(X, axis=-1)
    else:
        shape = X.shape
        if len(valid_lens.shape) == 1:
            valid_lens = ops.repeat(valid_lens, shape[1])
        else:
            valid_lens = ops.reshape(valid_lens, -1)
        # On the last axis, replace masked elements with a very large negative
        # value, whose exponentiation outputs 0
        X = _sequence_mask(ops.reshape(X, (-1, shape[-1])), valid_lens,
                           value=-1e6)
        return ops.softmax(ops.reshape(X, shape), axis=-1)
