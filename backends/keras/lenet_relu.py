"""The PyTorch tutorial's LeNet on 28x28 inputs, Keras (NHWC): ReLU after each layer."""

import keras


class LeNetReLU(keras.Model):
    def __init__(self):
        super().__init__()
        self.conv1 = keras.layers.Conv2D(6, 5, activation='relu')
        self.pool1 = keras.layers.MaxPooling2D(2)
        self.conv2 = keras.layers.Conv2D(16, 5, activation='relu')
        self.pool2 = keras.layers.MaxPooling2D(2)
        self.flatten = keras.layers.Flatten()  # (4, 4, 16) -> 256, in (H, W, C) order
        self.fc1 = keras.layers.Dense(120, activation='relu')
        self.fc2 = keras.layers.Dense(84, activation='relu')
        self.fc3 = keras.layers.Dense(10, activation='relu')

    def call(self, x):  # x: (N, 28, 28, 1)
        x = self.pool1(self.conv1(x))  # (N, 12, 12, 6)
        x = self.pool2(self.conv2(x))  # (N, 4, 4, 16)
        x = self.flatten(x)
        return self.fc3(self.fc2(self.fc1(x)))
