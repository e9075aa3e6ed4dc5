"""MXNet Gluon realisations: ``nn.Block`` with ``forward`` under ``npx.set_np()``, as in the MXNet edition.

MXNet 1.9.1 does not import with NumPy >= 1.24, so this worker runs under its own interpreter.
"""

LABEL = "Gluon"
REQUIRES = ("mxnet",)
ENV = ".venv-gluon"
GAPS: dict = {
    "multihead_attention_builtin": "MXNet 1.9.1 has no multi-head attention layer (nothing in mxnet.gluon.*, only "
    "low-level ops such as npx.sequence_mask); the book writes it by hand, see multihead_attention",
}
TOLERANCES = {
    ("gelu_mlp", "float64"): (1e-5, "nn.GELU evaluates in float32 precision even on float64 arrays: off by up "
                              "to 6.4e-7 (absolute, on [-6, 6]), its gradient by 1.3e-7"),
}
