"""A squeeze-and-excitation block (Hu et al., 2018, "Squeeze-and-Excitation Networks"), as torchvision's
``SqueezeExcitation`` computes it with a ReLU and a sigmoid: not a block from d2l.

squeeze: the mean of each channel over H and W, (N, C); excite: Linear(C, C // 4) -> ReLU ->
Linear(C // 4, C) -> sigmoid, one gate per channel; output: the input scaled by its channel's gate.
Names follow the PyTorch realisation (``excite`` is an ``nn.Sequential``: ``excite.0``, ``excite.2``).
"""

import numpy as np

from harness.spec import Input, Spec

C, R = 8, 4


def squeeze_excitation(x, p, c, tap=lambda name, value: value):
    s = x.mean(axis=(2, 3))  # (N, C)
    h = np.maximum(tap("excite.0", s @ p["excite.0.weight"].T + p["excite.0.bias"]), 0)
    g = 1 / (1 + np.exp(-tap("excite.2", h @ p["excite.2.weight"].T + p["excite.2.bias"])))
    return x * g[:, :, None, None]


SPEC = Spec(
    name="squeeze_excitation",
    title="Squeeze-and-excitation: channel mean, Linear-ReLU-Linear-sigmoid, channels rescaled",
    section="(not in d2l) Hu et al. 2018",
    model="SqueezeExcitation",
    inputs={"x": Input((2, C, 6, 6), layout="NCHW")},
    params={"excite.0.weight": (C // R, C), "excite.0.bias": (C // R,),
            "excite.2.weight": (C, C // R), "excite.2.bias": (C,)},
    output_layout="NCHW",
    taps={"excite.0": None, "excite.2": None},
    reference=squeeze_excitation,
)
