"""A user's block without NumPy code: the PyTorch realisation, run in float64, is the reference."""

from harness.spec import Input, Spec, Variant

SPEC = Spec(
    name="user_softplus_mlp",
    model="SoftplusMLP",
    inputs={"x": Input((3, 6))},
    params={"hidden.weight": (8, 6), "hidden.bias": (8,), "out.weight": (4, 8), "out.bias": (4,)},
    reference="torch",
    taps={"hidden": None},
    variants=(Variant(name="user_softplus_mlp_detached", model="SoftplusMLPDetached", backends=("flax",),
                      why="stop_gradient cuts the hidden layer out of autograd: its gradients are zeros."),),
)
