"""The PyTorch tutorial's LeNet on 28x28 inputs, in Gluon: ReLU after every layer."""

from mxnet.gluon import nn


class LeNetReLU(nn.Block):
    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2D(6, kernel_size=5, activation='relu')
        self.pool1 = nn.MaxPool2D(pool_size=2)
        self.conv2 = nn.Conv2D(16, kernel_size=5, activation='relu')
        self.pool2 = nn.MaxPool2D(pool_size=2)
        self.flatten = nn.Flatten()  # (16, 4, 4) -> 256, in (C, H, W) order
        self.fc1 = nn.Dense(120, activation='relu')
        self.fc2 = nn.Dense(84, activation='relu')
        self.fc3 = nn.Dense(10, activation='relu')

    def forward(self, x):  # x: (N, 1, 28, 28)
        x = self.pool1(self.conv1(x))  # (N, 6, 12, 12)
        x = self.pool2(self.conv2(x))  # (N, 16, 4, 4)
        x = self.flatten(x)
        return self.fc3(self.fc2(self.fc1(x)))
