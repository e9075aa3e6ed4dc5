"""d2l §11.6: sinusoidal positional encoding."""

import torch
from torch import nn


class PositionalEncoding(nn.Module):
    def __init__(self, num_hiddens, dropout, max_len=1000):
        super().__init__()
        self.dropout = nn.Dropout(dropout)
        # Create a long enough P (in the default dtype: the book's
        # dtype=torch.float32 would round it to float32 in a float64 model)
        self.P = torch.zeros((1, max_len, num_hiddens))
        X = torch.arange(max_len).reshape(-1, 1) / torch.pow(
            10000, torch.arange(0, num_hiddens, 2) / num_hiddens)
        self.P[:, :, 0::2] = torch.sin(X)
        self.P[:, :, 1::2] = torch.cos(X)

    def forward(self, X):
        X = X + self.P[:, :X.shape[1], :].to(X.device)
        return self.dropout(X)


class PositionalEncodingFunctionalDropout(PositionalEncoding):
    """nn.functional.dropout defaults to training=True: it drops in .eval() too."""

    def forward(self, X):
        X = X + self.P[:, :X.shape[1], :].to(X.device)
        return nn.functional.dropout(X, self.dropout.p)
