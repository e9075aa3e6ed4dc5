"""Float64 references of d2l's attention blocks (§11.3-11.7), batch-major as the book writes them.

Layouts are canonical: Linear weights (out, in); queries (N, Tq, d), keys (N, S, d), values (N, S, v);
``valid_lens`` (N,) or (N, Tq) integers: key j is kept for a query iff j < its valid length; None keeps
every key (a plain softmax).
"""

import numpy as np

from specs._ops import layer_norm, linear, no_tap, relu, softmax

FILL = -1e6  # what the book's masked_softmax puts in place of a masked score


def masked_softmax(X, valid_lens):
    if valid_lens is None:
        return softmax(X)
    shape = X.shape
    lens = np.repeat(valid_lens, shape[1]) if valid_lens.ndim == 1 else valid_lens.reshape(-1)
    kept = np.arange(shape[-1])[None, :] < lens[:, None]
    return softmax(np.where(kept, X.reshape(-1, shape[-1]), FILL).reshape(shape))


def dot_product_attention(queries, keys, values, valid_lens, scale=True):
    scores = queries @ keys.transpose(0, 2, 1)
    if scale:
        scores = scores / np.sqrt(queries.shape[-1])
    return masked_softmax(scores, valid_lens) @ values


def transpose_qkv(X, heads):
    """(N, T, h*d) -> (N*h, T, d): head i of example n is row n*h + i."""
    n, t, _ = X.shape
    return X.reshape(n, t, heads, -1).transpose(0, 2, 1, 3).reshape(n * heads, t, -1)


def transpose_output(X, heads):
    nh, t, d = X.shape
    return X.reshape(-1, heads, t, d).transpose(0, 2, 1, 3).reshape(nh // heads, t, heads * d)


def multihead_attention(queries, keys, values, valid_lens, p, prefix, heads, tap=no_tap):
    def proj(name, x):
        return tap(f"{prefix}{name}", linear(x, p[f"{prefix}{name}.weight"], p.get(f"{prefix}{name}.bias")))

    q = transpose_qkv(proj("W_q", queries), heads)
    k = transpose_qkv(proj("W_k", keys), heads)
    v = transpose_qkv(proj("W_v", values), heads)
    lens = None if valid_lens is None else np.repeat(valid_lens, heads, axis=0)
    out = tap(f"{prefix}attention", dot_product_attention(q, k, v, lens))
    return proj("W_o", transpose_output(out, heads))


def ffn(X, p, prefix, tap=no_tap):
    h = tap(f"{prefix}dense1", linear(X, p[f"{prefix}dense1.weight"], p[f"{prefix}dense1.bias"]))
    return linear(relu(h), p[f"{prefix}dense2.weight"], p[f"{prefix}dense2.bias"])


def add_norm(X, Y, p, prefix, eps=1e-5):
    return layer_norm(Y + X, p[f"{prefix}ln.weight"], p[f"{prefix}ln.bias"], eps)


def positional_table(max_len, num_hiddens):
    """P[t, 2i] = sin(t / 10000^(2i/d)), P[t, 2i+1] = cos(...), in float64."""
    angles = np.arange(max_len)[:, None] / np.power(10000, np.arange(0, num_hiddens, 2) / num_hiddens)
    P = np.zeros((max_len, num_hiddens))
    P[:, 0::2], P[:, 1::2] = np.sin(angles), np.cos(angles)
    return P
