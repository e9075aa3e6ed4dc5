"""The PyTorch tutorial's LeNet on 28x28 inputs, with a ReLU after every layer."""

import torch.nn.functional as F
from torch import nn


class LeNetReLU(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 6, 5)  # 1 input channel, 6 output channels, 5x5
        self.pool1 = nn.MaxPool2d(2)
        self.conv2 = nn.Conv2d(6, 16, 5)
        self.pool2 = nn.MaxPool2d(2)
        self.flatten = nn.Flatten()  # (16, 4, 4) -> 256, in (C, H, W) order
        self.fc1 = nn.Linear(16 * 4 * 4, 120)
        self.fc2 = nn.Linear(120, 84)
        self.fc3 = nn.Linear(84, 10)

    def forward(self, x):  # x: (N, 1, 28, 28)
        x = self.pool1(F.relu(self.conv1(x)))  # (N, 6, 12, 12)
        x = self.pool2(F.relu(self.conv2(x)))  # (N, 16, 4, 4)
        x = self.flatten(x)
        x = F.relu(self.fc1(x))
        x = F.relu(self.fc2(x))
        return F.relu(self.fc3(x))  # as the tutorial has it: a ReLU on the logits too
