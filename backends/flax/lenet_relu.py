"""The PyTorch tutorial's LeNet on 28x28 inputs, Flax (NHWC): ReLU after each layer."""

from flax import linen as nn


class LeNetReLU(nn.Module):
    def setup(self):
        # Flax defaults to padding='SAME' and pooling stride 1: write both out.
        self.conv1 = nn.Conv(6, kernel_size=(5, 5), strides=(1, 1), padding='VALID')
        self.conv2 = nn.Conv(16, kernel_size=(5, 5), strides=(1, 1), padding='VALID')
        self.fc1 = nn.Dense(120)
        self.fc2 = nn.Dense(84)
        self.fc3 = nn.Dense(10)

    def __call__(self, x):  # x: (N, 28, 28, 1)
        x = nn.relu(self.conv1(x))
        x = nn.max_pool(x, (2, 2), strides=(2, 2), padding='VALID')  # (N, 12, 12, 6)
        x = nn.relu(self.conv2(x))
        x = nn.max_pool(x, (2, 2), strides=(2, 2), padding='VALID')  # (N, 4, 4, 16)
        x = x.reshape((x.shape[0], -1))  # 256 features, in (H, W, C) order
        x = nn.relu(self.fc1(x))
        x = nn.relu(self.fc2(x))
        return nn.relu(self.fc3(x))
