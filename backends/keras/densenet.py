"""d2l §8.7: DenseNet's convolution block, dense block and transition block; NHWC."""

import keras
from keras import layers, ops


def conv_block(num_channels):
    return keras.Sequential([
        layers.BatchNormalization(momentum=0.9, epsilon=1e-5),
        layers.Activation('relu'),
        layers.Conv2D(num_channels, kernel_size=3, padding='same')])


class DenseBlock(keras.Model):
    def __init__(self, num_convs, num_channels):
        super().__init__()
        self.net = keras.Sequential([conv_block(num_channels)
                                     for _ in range(num_convs)])

    def call(self, X):
        for blk in self.net.layers:
            Y = blk(X)
            # Concatenate input and output of each block along the channels
            X = ops.concatenate((X, Y), axis=-1)
        return X


def transition_block(num_channels):
    return keras.Sequential([
        layers.BatchNormalization(momentum=0.9, epsilon=1e-5),
        layers.Activation('relu'),
        layers.Conv2D(num_channels, kernel_size=1),
        layers.AvgPool2D(pool_size=2, strides=2)])
