"""The PyTorch tutorial's LeNet on 28x28 inputs, NHWC: ReLU after each layer."""

from flax import nnx


class LeNetReLU(nnx.Module):
    def __init__(self, *, rngs: nnx.Rngs):
        # NNX, like linen, defaults to padding='SAME' and pooling stride 1:
        # write both out.
        self.conv1 = nnx.Conv(1, 6, kernel_size=(5, 5), strides=(1, 1),
                              padding='VALID', rngs=rngs)
        self.conv2 = nnx.Conv(6, 16, kernel_size=(5, 5), strides=(1, 1),
                              padding='VALID', rngs=rngs)
        self.fc1 = nnx.Linear(16 * 4 * 4, 120, rngs=rngs)
        self.fc2 = nnx.Linear(120, 84, rngs=rngs)
        self.fc3 = nnx.Linear(84, 10, rngs=rngs)

    def __call__(self, x):  # x: (N, 28, 28, 1)
        x = nnx.relu(self.conv1(x))
        x = nnx.max_pool(x, (2, 2), strides=(2, 2), padding='VALID')  # (N, 12, 12, 6)
        x = nnx.relu(self.conv2(x))
        x = nnx.max_pool(x, (2, 2), strides=(2, 2), padding='VALID')  # (N, 4, 4, 16)
        x = x.reshape((x.shape[0], -1))  # 256 features, in (H, W, C) order
        x = nnx.relu(self.fc1(x))
        x = nnx.relu(self.fc2(x))
        return nnx.relu(self.fc3(x))
