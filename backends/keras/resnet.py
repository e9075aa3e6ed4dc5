"""d2l §8.6: ResNet's stem and first residual stages, NHWC."""

import keras
from keras import layers

from backends.keras.residual import Residual  # d2l §8.6


class ResNet(keras.Model):
    def __init__(self, arch, num_channels=64):
        super().__init__()
        # ZeroPadding2D pads explicitly ('same' at stride 2 on 32 x 32 would not):
        # zeros before the max pooling never win after a ReLU
        self.b1 = keras.Sequential([
            layers.ZeroPadding2D(3), layers.Conv2D(num_channels, 7, strides=2),
            layers.BatchNormalization(momentum=0.9, epsilon=1e-5),
            layers.Activation('relu'),
            layers.ZeroPadding2D(1), layers.MaxPool2D(pool_size=3, strides=2)])
        self.b2 = self.block(*arch[0], first_block=True)
        self.b3 = self.block(*arch[1])

    def block(self, num_residuals, num_channels, first_block=False):
        blk = keras.Sequential()
        for i in range(num_residuals):
            if i == 0 and not first_block:
                blk.add(Residual(num_channels, use_1x1conv=True, strides=2))
            else:
                blk.add(Residual(num_channels))
        return blk

    def call(self, X):  # X: (N, 32, 32, 1)
        return self.b3(self.b2(self.b1(X)))
