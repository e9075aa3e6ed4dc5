"""d2l §11.6: sinusoidal positional encoding."""

from mxnet import np
from mxnet.gluon import nn


class PositionalEncoding(nn.Block):
    def __init__(self, num_hiddens, dropout, max_len=1000):
        super().__init__()
        self.dropout = nn.Dropout(dropout)
        # Create a long enough P, in float64 (cast to X's dtype when used)
        self.P = np.zeros((1, max_len, num_hiddens), dtype='float64')
        X = np.arange(max_len, dtype='float64').reshape(-1, 1) / np.power(
            10000, np.arange(0, num_hiddens, 2, dtype='float64') / num_hiddens)
        self.P[:, :, 0::2] = np.sin(X)
        self.P[:, :, 1::2] = np.cos(X)

    def forward(self, X):
        X = X + self.P[:, :X.shape[1], :].astype(X.dtype).as_in_ctx(X.ctx)
        return self.dropout(X)
