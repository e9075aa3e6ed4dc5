"""An MLP with the exact GELU activation."""

from mxnet.gluon import nn


class GeluMLP(nn.Block):
    def __init__(self):
        super().__init__()
        self.hidden = nn.Dense(64)
        self.act = nn.GELU()  # exact: x * Phi(x); MXNet has no tanh form
        self.out = nn.Dense(10)

    def forward(self, X):
        return self.out(self.act(self.hidden(X)))
