"""d2l §6.5: a fully connected layer from raw parameters."""

from mxnet import np, npx
from mxnet.gluon import nn


class MyLinear(nn.Block):
    def __init__(self, in_units, units, **kwargs):
        super().__init__(**kwargs)
        self.weight = self.params.get('weight', shape=(in_units, units))
        self.bias = self.params.get('bias', shape=(units,))

    def forward(self, X):
        # In Gluon `data()` is differentiable: this is the right idiom here
        linear = np.dot(X, self.weight.data()) + self.bias.data()
        return npx.relu(linear)


class MyLinearDataAttr(MyLinear):
    """The book's PyTorch ``.data`` mistake in Gluon: ``detach()`` cuts the gradient."""

    def forward(self, X):
        weight = self.weight.data().detach()
        bias = self.bias.data().detach()
        return npx.relu(np.dot(X, weight) + bias)
