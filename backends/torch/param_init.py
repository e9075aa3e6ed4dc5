"""d2l §6.3: parameter initialisation with net.apply (built-in, per layer, custom)."""

from torch import nn


def net():  # nn.Linear(4, 8), not LazyLinear: apply() needs the shapes
    return nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 1))


def init_normal(module):
    if type(module) is nn.Linear:
        nn.init.normal_(module.weight, mean=0, std=0.01)
        nn.init.zeros_(module.bias)


def init_constant(module):
    if type(module) is nn.Linear:
        nn.init.constant_(module.weight, 1)
        nn.init.zeros_(module.bias)


def init_xavier(module):  # applied to one Linear (the book also guards: type is Linear)
    nn.init.xavier_uniform_(module.weight)


def init_42(module):  # applied to one Linear, as init_xavier
    nn.init.constant_(module.weight, 42)


def my_init(module):
    if type(module) is nn.Linear:
        nn.init.uniform_(module.weight, -10, 10)
        module.weight.data *= module.weight.data.abs() >= 5


def NormalNet():
    return net().apply(init_normal)


def ConstantNet():
    return net().apply(init_constant)


def XavierAnd42Net():
    model = net()
    model[0].apply(init_xavier)
    model[2].apply(init_42)
    return model


def CustomInitNet():
    return net().apply(my_init)


def init_weights(module):  # the §6.1 MLP's initialisation
    if type(module) is nn.Linear:
        nn.init.xavier_uniform_(module.weight)
        nn.init.zeros_(module.bias)


class XavierMLP(nn.Module):
    def __init__(self):
        super().__init__()
        self.hidden = nn.Linear(20, 256)  # hidden layer
        self.out = nn.Linear(256, 10)  # output layer
        self.apply(init_weights)

    def forward(self, X):
        return self.out(self.hidden(X).relu())
