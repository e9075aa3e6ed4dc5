"""d2l §8.6: the residual block, NHWC."""

import keras
from keras import layers, ops


class Residual(keras.Model):
    """The Residual block of ResNet models."""

    def __init__(self, num_channels, use_1x1conv=False, strides=1, same=False):
        super().__init__()
        # Keras pads only 'valid' or 'same', and 'same' at stride 2 is not
        # padding=1 (the variant): pad explicitly, then 'valid'.
        self.pad = layers.ZeroPadding2D(0 if same else 1)
        self.conv1 = layers.Conv2D(num_channels, kernel_size=3, strides=strides,
                                   padding='same' if same else 'valid')
        self.conv2 = layers.Conv2D(num_channels, kernel_size=3, padding='same')
        self.conv3 = None
        if use_1x1conv:
            self.conv3 = layers.Conv2D(num_channels, kernel_size=1,
                                       strides=strides)
        self.bn1 = layers.BatchNormalization(momentum=0.9, epsilon=1e-5)
        self.bn2 = layers.BatchNormalization(momentum=0.9, epsilon=1e-5)

    def call(self, X):
        Y = ops.relu(self.bn1(self.conv1(self.pad(X))))
        Y = self.bn2(self.conv2(Y))
        if self.conv3 is not None:
            X = self.conv3(X)
        Y += X
        return ops.relu(Y)


class ResidualSamePadding(Residual):
    """As the book's TensorFlow version: conv1 padded 'same'."""

    def __init__(self, num_channels, use_1x1conv=False, strides=1):
        super().__init__(num_channels, use_1x1conv, strides, same=True)
