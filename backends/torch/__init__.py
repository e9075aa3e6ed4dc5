"""PyTorch realisations: ``nn.Module`` with ``forward``, as in the book's PyTorch edition."""

LABEL = "PyTorch"
REQUIRES = ("torch",)
ENV = ".venv"
GAPS: dict = {}
TOLERANCES: dict = {}
