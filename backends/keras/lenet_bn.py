"""d2l §8.5: LeNet with batch normalisation, from scratch and concise; NHWC."""

import keras
from keras import layers

from backends.keras.batch_norm import BatchNorm  # d2l §8.5, the layer from scratch


class BNLeNetScratch(keras.Model):
    def __init__(self, num_classes=10):
        super().__init__()
        self.net = keras.Sequential([
            layers.Conv2D(6, kernel_size=5), BatchNorm(6, num_dims=4),
            layers.Activation('sigmoid'), layers.AvgPool2D(pool_size=2, strides=2),
            layers.Conv2D(16, kernel_size=5), BatchNorm(16, num_dims=4),
            layers.Activation('sigmoid'), layers.AvgPool2D(pool_size=2, strides=2),
            layers.Flatten(), layers.Dense(120), BatchNorm(120, num_dims=2),
            layers.Activation('sigmoid'), layers.Dense(84),
            BatchNorm(84, num_dims=2), layers.Activation('sigmoid'),
            layers.Dense(num_classes)])

    def call(self, X):  # X: (N, 28, 28, 1)
        return self.net(X)


class BNLeNet(keras.Model):
    def __init__(self, num_classes=10, bn=None):
        super().__init__()
        bn = bn or (lambda: layers.BatchNormalization(momentum=0.9, epsilon=1e-5))
        self.net = keras.Sequential([
            layers.Conv2D(6, kernel_size=5), bn(),
            layers.Activation('sigmoid'), layers.AvgPool2D(pool_size=2, strides=2),
            layers.Conv2D(16, kernel_size=5), bn(),
            layers.Activation('sigmoid'), layers.AvgPool2D(pool_size=2, strides=2),
            layers.Flatten(), layers.Dense(120), bn(),
            layers.Activation('sigmoid'), layers.Dense(84), bn(),
            layers.Activation('sigmoid'), layers.Dense(num_classes)])

    def call(self, X):  # X: (N, 28, 28, 1)
        return self.net(X)


class BNLeNetKerasDefaults(BNLeNet):
    """As the book's TensorFlow tab writes it: BatchNormalization() at its defaults."""

    def __init__(self, num_classes=10):
        super().__init__(num_classes, bn=layers.BatchNormalization)
