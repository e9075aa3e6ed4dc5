"""3x3 average pooling, stride 2, padding 1, averaging over the window's elements inside the image only."""

import numpy as np

from harness.spec import Input, Spec


def avg_pool(x, p, c, tap=lambda name, value: value):
    n, ch, h, w = x.shape
    padded = np.pad(x, ((0, 0), (0, 0), (1, 1), (1, 1)))
    inside = np.pad(np.ones((h, w)), 1)
    out = np.zeros((n, ch, (h - 1) // 2 + 1, (w - 1) // 2 + 1))
    for i in range(out.shape[2]):
        for j in range(out.shape[3]):
            window = (slice(2 * i, 2 * i + 3), slice(2 * j, 2 * j + 3))
            out[:, :, i, j] = padded[:, :, window[0], window[1]].sum((2, 3)) / inside[window].sum()
    return out


SPEC = Spec(
    name="user_avg_pool_no_pad",
    model="AvgPoolNoPad",
    inputs={"x": Input((2, 3, 6, 6), layout="NCHW")},
    output_layout="NCHW",
    reference=avg_pool,
)
