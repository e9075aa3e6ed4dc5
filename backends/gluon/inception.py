"""d2l §8.4: the Inception block of GoogLeNet."""

from mxnet import np
from mxnet.gluon import nn


class Inception(nn.Block):
    # c1--c4 are the number of output channels for each branch
    def __init__(self, c1, c2, c3, c4):
        super().__init__()
        self.b1_1 = nn.Conv2D(c1, kernel_size=1, activation='relu')  # branch 1
        self.b2_1 = nn.Conv2D(c2[0], kernel_size=1, activation='relu')  # branch 2
        self.b2_2 = nn.Conv2D(c2[1], kernel_size=3, padding=1, activation='relu')
        self.b3_1 = nn.Conv2D(c3[0], kernel_size=1, activation='relu')  # branch 3
        self.b3_2 = nn.Conv2D(c3[1], kernel_size=5, padding=2, activation='relu')
        self.b4_1 = nn.MaxPool2D(pool_size=3, strides=1, padding=1)  # branch 4
        self.b4_2 = nn.Conv2D(c4, kernel_size=1, activation='relu')

    def forward(self, x):
        b1 = self.b1_1(x)
        b2 = self.b2_2(self.b2_1(x))
        b3 = self.b3_2(self.b3_1(x))
        b4 = self.b4_2(self.b4_1(x))
        return np.concatenate((b1, b2, b3, b4), axis=1)  # NCHW: channels are axis 1
