"""PyTorch realisations: ``nn.Module`` with ``forward``, as in the book's PyTorch edition."""

LABEL = "PyTorch"
REQUIRES = ("torch",)
ENV = ".venv"
# The worker's environment (harness/pool.py): what the user's shell may not change. None removes a variable.
ENVIRON = {
    "CUDA_VISIBLE_DEVICES": "",  # a CPU build; no device chosen behind the run's back
    "ATEN_CPU_CAPABILITY": None,  # which SIMD kernels run (their float32 rounding): torch's own choice
    "TORCH_*": None, "PYTORCH_*": None,  # e.g. TORCH_ALLOW_TF32_CUBLAS_OVERRIDE, PYTORCH_JIT=0
}
# Why parameter shapes may be unknown before the first call (d2l §6.4; harness.teach.before_call)
LAZY = "nn.LazyLinear and its kin hold an UninitializedParameter until the first call"
GAPS: dict = {}
TOLERANCES: dict = {}
_UNBIASED = ("nn.BatchNorm1d/2d update running_var with the unbiased batch variance (n/(n-1) times the biased "
             "one that normalises the batch); flax, Keras, Gluon and the book's from-scratch layer use the biased "
             "one, and no torch option changes it. Gap: momentum * var / (n - 1)")

DIVERGENCES = {
    ("bn_lenet", "train", "state:*running_var"): (_UNBIASED + ", up to 3e-4 here.", 3e-3),
    ("resnet", "train", "state:*running_var"): (_UNBIASED + ", up to 2e-3 here.", 2e-2),
    **{(name, "train", "state:*running_var"): (_UNBIASED + ", up to 5e-4 here.", 5e-3)
       for name in ("conv_block", "dense_block", "transition_block")},
    **{(name, "train", "state:bn?.running_var"): (_UNBIASED + ", up to 1e-3 here.", 1e-2)
       for name in ("residual", "residual_1x1", "residual_1x1_s2")},
    ("batch_norm_concise", "train", "state:running_var"): (
        "nn.BatchNorm1d/2d update running_var with the unbiased batch variance (n/(n-1) times the biased "
        "one that normalises the batch); flax, Keras, Gluon and the book's from-scratch layer use the "
        "biased one, and no torch option changes it. Gap: momentum * var / (n - 1), 1.5e-2 here.", 3e-2),
}
