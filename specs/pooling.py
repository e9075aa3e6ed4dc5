"""d2l §7.5: max and average pooling with padding and stride: 3x3 windows, stride 2, padding 1.

On (2, 2, 5, 5) maps (a batch of 2, 2 channels pooled separately) -> (2, 2, 3, 3); windows start at
rows/columns -1, 1, 3, so every border window reaches into the padding. The ``_6x6`` cases pool
(2, 2, 6, 6) maps -> (2, 2, 3, 3) with the same windows: there no window reaches the padding after
the last row and column. On a 5x5 map padding 1 is what TF's 'SAME' pads too, (1, 1); on a 6x6 map 'SAME'
pads (0, 1), the odd padded row after, with the same output shape:
only the even map tells explicit padding 1 from 'SAME' (the trap ``max_pool_same_pads_after``).

* ``max_pool``: padded cells are -inf and never win. It assumes no ties: random inputs have none, and a
  tie would be reported (``specs._ops.max_pool2d``), never passed silently: where the gradient of a tie
  goes is a per-framework convention.
* ``avg_pool``: the convention encoded is ``count_include_pad=True``: padded zeros count, every window is
  divided by 9 (PyTorch, Flax and Gluon by default). Keras's ``AveragePooling2D(padding='same')`` (on a
  5x5 map it pads 1 on each side too) divides by the real cells only: it is kept as the trap
  ``avg_pool_same_excludes_pad`` and differs by max |Δ| 0.54 on outputs of at most 0.61 (0.9
  relative, seed 0; 0.9 to 1.25 over seeds 1-3): a corner window averages 4 cells, not 9. The Keras
  realisation pads with ``ZeroPadding2D`` and pools 'valid'; for the max it pads -inf (``ops.pad``),
which never wins, where a zero would win over a window of negative values.

The book's four versions compute this function on its 4x4 example (its TensorFlow version pads
explicitly too, with ``tf.pad`` then 'valid').
"""

from harness.spec import Input, Spec, Variant
from specs._ops import avg_pool2d, max_pool2d, no_tap

PAD = ((1, 1), (1, 1))


def max_pool(x, p, c, tap=no_tap):
    return tap("pool", max_pool2d(x, (3, 3), (2, 2), PAD))


def avg_pool(x, p, c, tap=no_tap):
    return tap("pool", avg_pool2d(x, (3, 3), (2, 2), PAD, count_include_pad=True))


def spec(name, title, model, reference, size=5, **extra):
    return Spec(
        name=name,
        title=title,
        section="7.5 Pooling",
        model=model,
        inputs={"x": Input((2, 2, size, size), layout="NCHW")},
        taps={"pool": "NCHW"},
        output_layout="NCHW",
        reference=reference,
        **extra,
    )


SPECS = [
    spec("max_pool", "MaxPool 3x3, stride 2, padding 1: 5x5 -> 3x3", "MaxPool", max_pool),
    spec("avg_pool", "AvgPool 3x3, stride 2, padding 1, padded zeros counted: 5x5 -> 3x3", "AvgPool",
         avg_pool, variants=(
             Variant(
                 name="avg_pool_same_excludes_pad",
                 model="AvgPoolSame",
                 backends=("keras",),
                 expected_tap="pool",
                 why="Keras's AveragePooling2D(padding='same') divides each border window by its real "
                 "cells only (count_include_pad=False), where the others count the padded zeros. Fix: "
                 "ZeroPadding2D, then AveragePooling2D(padding='valid').",
             ),
         )),
    spec("max_pool_6x6", "MaxPool 3x3, stride 2, padding 1: 6x6 -> 3x3",
         "MaxPool", max_pool, size=6, variants=(
             Variant(
                 name="max_pool_same_pads_after",
                 model="MaxPoolSame",
                 backends=("keras", "flax", "flax_nnx"),
                 expected_tap="pool",
                 why="'SAME' padding where padding 1 is meant: on a 5x5 map both pad (1, 1), on a 6x6 map "
                 "'SAME' pads (0, 1), so every window starts one row and column later; the output shape "
                 "is the same. Fix: pad 1 explicitly (-inf for a max), then pool 'valid'.",
             ),
         )),
    spec("avg_pool_6x6", "AvgPool 3x3, stride 2, padding 1, padded zeros counted: 6x6 -> 3x3", "AvgPool",
         avg_pool, size=6),
]
