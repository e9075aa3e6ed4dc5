"""d2l §7.3: 'same' padding where the frameworks can disagree: an even kernel, and stride 2.

The convention encoded is TF/XLA 'SAME' (``specs._ops.same_padding``): the output has ceil(n / stride)
positions, and when the total padding is odd the extra row/column goes *after* (bottom/right).

* ``conv_same_even``: 4x4 kernel, stride 1, 8x8 -> 8x8: pads (1, 2) rows and (1, 2) columns.
* ``conv_same_stride2``: 3x3 kernel, stride 2, 8x8 -> 4x4: pads (0, 1): windows start at 0, 2, 4, 6.

Native in Flax (``padding='SAME'``) and Keras (``'same'``); PyTorch's ``padding='same'`` agrees at stride
1 (with a warning about even kernels) and refuses stride 2, and Gluon has no 'same' and no asymmetric
padding: those realisations pad by hand (``F.pad`` / ``np.pad``) by the same rule.

The book's PyTorch, JAX and MXNet code writes 'same' as a symmetric ``padding=(k - 1) // 2``. That is
the trap kept as ``conv_same_even_symmetric`` and ``conv_same_stride2_symmetric`` (every backend
realises it, every backend must fail): with the even kernel it pads 1 on each side and the output is
7x7, not 8x8 (reported as the output's shape, its gradients computed with a zero cotangent); at
stride 2 it pads (1, 1), the shapes agree and the values do not:
max |Δ| 1.94 on outputs of at most 1.29 (1.5 relative, seed 0). ``conv_stride2`` (in padding.py) is the
symmetric convention as its own spec.
"""

from harness.spec import Input, Spec, Variant
from specs._ops import conv2d, no_tap, same_padding


def conv_same_even(x, p, c, tap=no_tap):
    pads = same_padding(x.shape[2:], (4, 4), (1, 1))  # ((1, 2), (1, 2)) on 8x8
    return tap("conv", conv2d(x, p["conv.weight"], p["conv.bias"], (1, 1), pads))


def conv_same_stride2(x, p, c, tap=no_tap):
    pads = same_padding(x.shape[2:], (3, 3), (2, 2))  # ((0, 1), (0, 1)) on 8x8
    return tap("conv", conv2d(x, p["conv.weight"], p["conv.bias"], (2, 2), pads))


def spec(name, title, kernel_size, stride, model, measured, reference):
    return Spec(
        name=name,
        title=title,
        section="7.3 Padding and Stride",
        model=model,
        args={"kernel_size": kernel_size, "stride": stride},
        inputs={"x": Input((2, 1, 8, 8), layout="NCHW")},
        params={"conv.weight": (1, 1, *kernel_size), "conv.bias": (1,)},
        taps={"conv": "NCHW"},
        output_layout="NCHW",
        reference=reference,
        variants=(
            Variant(
                name=f"{name}_symmetric",
                model="SymmetricConv",
                expected_tap="conv",
                why=f"The book's port of 'same': symmetric padding=(k - 1) // 2 on both sides. {measured}. "
                "Fix: pad (total // 2) before and the rest after (F.pad / np.pad / flax 'SAME' / Keras "
                "'same').",
            ),
        ),
    )


SPECS = [
    spec("conv_same_even", "Conv 4x4 'same' (TF rule), stride 1: pads 1 before, 2 after",
         (4, 4), (1, 1), "SameConv", "The output is 7x7 instead of 8x8", conv_same_even),
    spec("conv_same_stride2", "Conv 3x3 'same' (TF rule), stride 2: pads 0 before, 1 after",
         (3, 3), (2, 2), "SameConvStride2", "Same 4x4 shape, values off by 1.5 relative (seed 0)",
         conv_same_stride2),
]
