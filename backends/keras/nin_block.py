"""d2l §8.3: a NiN block, NHWC."""

import keras


def nin_block(out_channels, kernel_size, strides, padding='valid'):
    return keras.Sequential([
        keras.layers.Conv2D(out_channels, kernel_size, strides=strides, padding=padding,
                            activation='relu'),
        keras.layers.Conv2D(out_channels, 1, activation='relu'),
        keras.layers.Conv2D(out_channels, 1, activation='relu')])
