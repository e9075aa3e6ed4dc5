"""d2l §6.3: parameter initialisation with initialize(init.X, force_reinit=True)."""

from mxnet import init, np
from mxnet.gluon import nn


def net():
    model = nn.Sequential()
    model.add(nn.Dense(8, activation='relu'), nn.Dense(1))
    return model


def NormalNet():
    model = net()
    model.initialize(init=init.Normal(sigma=0.01), force_reinit=True)
    return model


def ConstantNet():
    model = net()
    model.initialize(init=init.Constant(1), force_reinit=True)
    return model


def XavierAnd42Net():
    model = net()
    model[0].weight.initialize(init=init.Xavier(), force_reinit=True)
    model[1].initialize(init=init.Constant(42), force_reinit=True)
    return model


class MyInit(init.Initializer):
    def _init_weight(self, name, data):
        data[:] = np.random.uniform(-10, 10, data.shape)
        data *= np.abs(data) >= 5


def CustomInitNet():
    model = net()
    model.initialize(MyInit(), force_reinit=True)
    return model


class XavierMLP(nn.Block):  # the §6.1 MLP with init_weights
    def __init__(self):
        super().__init__()
        self.hidden = nn.Dense(256, activation='relu')  # hidden layer
        self.out = nn.Dense(10)  # output layer
        self.initialize(init.Xavier(), force_reinit=True)  # biases: Dense's 'zeros'

    def forward(self, X):
        return self.out(self.hidden(X))
