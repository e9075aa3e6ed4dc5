"""d2l §11.7: residual connection followed by layer normalization."""

from mxnet.gluon import nn


class AddNorm(nn.Block):
    def __init__(self, norm_shape, dropout):  # Gluon normalizes the last axis
        super().__init__()
        self.dropout = nn.Dropout(dropout)
        self.ln = nn.LayerNorm()  # epsilon=1e-5, as PyTorch

    def forward(self, X, Y):
        return self.ln(self.dropout(Y) + X)
