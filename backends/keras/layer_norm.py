"""d2l §8.5: layer normalisation, the built-in layer."""

import keras


def layer_norm():
    return keras.layers.LayerNormalization(epsilon=1e-5)


def layer_norm_default_eps():
    """Keras's own default epsilon, 1e-3."""
    return keras.layers.LayerNormalization()
