"""d2l §6.1: a Sequential container written by hand."""

from torch import nn


class MySequential(nn.Module):
    def __init__(self, *args):
        super().__init__()
        for idx, module in enumerate(args):
            self.add_module(str(idx), module)  # registered as children "0", "1", ...

    def forward(self, X):
        for module in self.children():
            X = module(X)
        return X


def my_sequential():
    return MySequential(nn.LazyLinear(256), nn.ReLU(), nn.LazyLinear(10))
