"""d2l §6.1: a constant weight, a reused layer and Python control flow."""

from mxnet import np, npx
from mxnet.gluon import nn


class FixedHiddenMLP(nn.Block):
    def __init__(self):
        super().__init__()
        # Random weight parameters created with `get_constant` are not
        # updated during training (i.e., constant parameters)
        self.rand_weight = self.params.get_constant(
            'rand_weight', np.random.uniform(size=(20, 20)))
        self.linear = nn.Dense(20)

    def forward(self, X):
        X = self.linear(X)
        X = npx.relu(np.dot(X, self.rand_weight.data()) + 1)
        # Reuse the dense layer: the two calls share parameters
        X = self.linear(X)
        # Control flow; `X /= 2` would fail under autograd.record()
        while np.abs(X).sum() > 1:
            X = X / 2
        return X.sum()
