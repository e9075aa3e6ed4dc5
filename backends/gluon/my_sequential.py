"""d2l §6.1: a Sequential container written by hand."""

from mxnet.gluon import nn


class MySequential(nn.Block):
    def add(self, block):
        # Register the child under its position, "0", "1", ... (the book keys
        # it by block.name, a global counter such as "dense3")
        self.register_child(block, str(len(self._children)))

    def forward(self, X):
        for block in self._children.values():
            X = block(X)
        return X


def my_sequential():
    net = MySequential()
    net.add(nn.Dense(256, activation='relu'))
    net.add(nn.Dense(10))
    return net
