"""d2l §6.4: lazy initialisation, which NNX does not have.

An nnx.Linear takes its input size and makes its parameters in __init__: every
shape is known before the first call (nnx.eval_shape gives them without
allocating). What the book writes lazily is written here with its input size, 20
(linen would infer it in init(key, X); nnx.bridge.ToNNX wraps a linen module for
that).
"""

from flax import nnx


def LazyMLP(*, rngs: nnx.Rngs):
    return nnx.Sequential(nnx.Linear(20, 256, rngs=rngs), nnx.relu,
                          nnx.Linear(256, 10, rngs=rngs))
