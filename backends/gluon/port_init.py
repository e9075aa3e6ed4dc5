"""d2l §6.3: the §6.1 MLP with PyTorch's initialisation."""

import math

from mxnet import init, np
from mxnet.gluon import nn


class TorchUniform(init.Initializer):
    """PyTorch's Linear default, U(±1/sqrt(fan_in)), on a Gluon weight (out, in)."""

    def _init_weight(self, name, data):
        bound = 1 / math.sqrt(data.shape[1])
        data[:] = np.random.uniform(-bound, bound, data.shape)


class TorchInitMLP(nn.Block):
    def __init__(self):
        super().__init__()
        self.hidden = nn.Dense(256, activation='relu',
                               weight_initializer=TorchUniform(),
                               bias_initializer=init.Uniform(1 / math.sqrt(20)))
        self.out = nn.Dense(10, weight_initializer=TorchUniform(),
                            bias_initializer=init.Uniform(1 / math.sqrt(256)))

    def forward(self, X):
        return self.out(self.hidden(X))
