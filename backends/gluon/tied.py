"""d2l §6.2: tied parameters, a shared layer used twice."""

from mxnet.gluon import nn


def SharedNet():
    shared = nn.Dense(8, activation='relu')
    net = nn.Sequential()
    net.add(nn.Dense(8, activation='relu'), shared,
            nn.Dense(8, activation='relu', params=shared.params), nn.Dense(1))
    return net


def TwoCopiesNet():  # the trap: two layers (the adapter loads them equal)
    net = nn.Sequential()
    net.add(nn.Dense(8, activation='relu'), nn.Dense(8, activation='relu'),
            nn.Dense(8, activation='relu'), nn.Dense(1))
    return net
