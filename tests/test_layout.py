"""Layout transforms are exact inverses, and the flatten permutation gives the same function."""

import numpy as np

from harness import layout
from harness.adapter import sequence_numbers


def test_transforms_round_trip():
    g = np.random.default_rng(0)
    w = g.standard_normal((6, 3, 5, 4))
    assert layout.conv_kernel(w).shape == (5, 4, 3, 6)
    assert np.array_equal(layout.conv_weight(layout.conv_kernel(w)), w)
    lw = g.standard_normal((10, 48))
    assert np.array_equal(layout.dense_weight(layout.dense_kernel(lw)), lw)
    assert np.array_equal(layout.flattened_dense_weight(layout.flattened_dense_kernel(lw, (3, 4, 4)), (3, 4, 4)), lw)
    x = g.standard_normal((2, 3, 4, 5))
    assert np.array_equal(layout.nhwc_to_nchw(layout.nchw_to_nhwc(x)), x)


def test_flattened_dense_kernel_computes_the_same_function_on_nhwc_features():
    g = np.random.default_rng(1)
    x = g.standard_normal((2, 3, 4, 5))  # NCHW
    w = g.standard_normal((7, 60))
    want = x.reshape(2, -1) @ w.T  # torch: Flatten then Linear
    nhwc = layout.nchw_to_nhwc(x).reshape(2, -1)  # flax/Keras: flatten in (h, w, c) order
    assert np.allclose(nhwc @ layout.flattened_dense_kernel(w, (3, 4, 5)), want)
    assert not np.allclose(nhwc @ w.T, want)  # the classic mistake: right shapes, wrong function


def test_folded_activations_take_two_numbers():
    assert sequence_numbers([True, False]) == [0, 2]
    assert sequence_numbers([True, True]) == [0, 2]
    assert sequence_numbers([False, False, True, False]) == [0, 1, 2, 4]
