"""d2l §8.2: a VGG block, NHWC."""

from flax import nnx


def vgg_block(num_convs, out_channels, in_features, *, rngs: nnx.Rngs):
    layers = []
    for _ in range(num_convs):
        layers.append(nnx.Conv(in_features, out_channels, kernel_size=(3, 3),
                               strides=(1, 1), padding=(1, 1), rngs=rngs))
        layers.append(nnx.relu)
        in_features = out_channels
    layers.append(lambda x: nnx.max_pool(x, window_shape=(2, 2), strides=(2, 2),
                                         padding='VALID'))
    return nnx.Sequential(*layers)
