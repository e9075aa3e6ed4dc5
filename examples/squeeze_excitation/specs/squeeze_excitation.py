"""A squeeze-and-excitation block (Hu et al., 2018, "Squeeze-and-Excitation Networks"), as torchvision's
``SqueezeExcitation`` computes it with a ReLU and a sigmoid: not a block from d2l.

squeeze: the mean of each channel over H and W, (N, C); excite: Linear(C, C // 4) -> ReLU ->
Linear(C // 4, C) -> sigmoid, one gate per channel; output: the input scaled by its channel's gate.
Names follow the PyTorch realisation (``excite`` is an ``nn.Sequential``: ``excite.0``, ``excite.2``).

No NumPy reference: ``reference="torch"`` makes the PyTorch realisation, run in float64, the reference
(a porter who has a PyTorch model and no NumPy code starts here; docs/own-blocks.md says what a NumPy
reference would add).
"""

from harness.spec import Input, Spec

C, R = 8, 4


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
    reference="torch",
)
