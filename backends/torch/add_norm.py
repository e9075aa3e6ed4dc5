"""d2l §11.7: residual connection followed by layer normalization."""

from torch import nn


class AddNorm(nn.Module):
    def __init__(self, norm_shape, dropout):
        super().__init__()
        self.dropout = nn.Dropout(dropout)
        self.ln = nn.LayerNorm(norm_shape)  # eps=1e-5, PyTorch's default

    def forward(self, X, Y):
        return self.ln(self.dropout(Y) + X)
