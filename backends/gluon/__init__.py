"""MXNet Gluon realisations: ``nn.Block`` with ``forward`` under ``npx.set_np()``, as in the MXNet edition.

MXNet 1.9.1 does not import with NumPy >= 1.24, so this worker runs under its own interpreter.
"""

LABEL = "Gluon"
REQUIRES = ("mxnet",)
ENV = ".venv-gluon"
GAPS: dict = {}
