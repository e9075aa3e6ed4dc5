"""d2l §6.4: lazy initialisation: Dense without in_units defers to the first call."""

from mxnet.gluon import nn


def LazyMLP():
    net = nn.Sequential()
    net.add(nn.Dense(256, activation='relu'))
    net.add(nn.Dense(10))
    net.initialize()  # deferred: net[0].weight.shape is (256, 0) until net(X)
    return net
