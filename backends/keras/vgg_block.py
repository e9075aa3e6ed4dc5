"""d2l §8.2: a VGG block, NHWC."""

import keras


def vgg_block(num_convs, out_channels):
    blk = keras.Sequential()
    for _ in range(num_convs):
        blk.add(keras.layers.Conv2D(out_channels, kernel_size=3, padding='same',
                                    activation='relu'))
    blk.add(keras.layers.MaxPooling2D(pool_size=2, strides=2))
    return blk
