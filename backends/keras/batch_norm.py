"""d2l §8.5: batch normalisation from scratch, and the built-in layer."""

import keras
from keras import ops


def batch_norm(X, gamma, beta, moving_mean, moving_var, eps, momentum, training):
    if not training:  # prediction mode: the moving averages
        X_hat = (X - moving_mean) / ops.sqrt(moving_var + eps)
    else:
        axes = list(range(len(X.shape) - 1))  # every axis but the features (channels)
        mean = ops.mean(X, axis=axes, keepdims=True)
        var = ops.mean((X - mean) ** 2, axis=axes, keepdims=True)
        X_hat = (X - mean) / ops.sqrt(var + eps)
        moving_mean = (1.0 - momentum) * moving_mean + momentum * mean
        moving_var = (1.0 - momentum) * moving_var + momentum * var
    return gamma * X_hat + beta, moving_mean, moving_var  # scale and shift


class BatchNorm(keras.layers.Layer):
    def __init__(self, num_features, num_dims):
        super().__init__()
        shape = (1, num_features) if num_dims == 2 else (1, 1, 1, num_features)
        self.gamma = self.add_weight(shape=shape, name='gamma', initializer='ones')
        self.beta = self.add_weight(shape=shape, name='beta', initializer='zeros')
        # not parameters: weights that training does not change
        self.moving_mean = self.add_weight(shape=shape, name='moving_mean',
                                           initializer='zeros', trainable=False)
        self.moving_var = self.add_weight(shape=shape, name='moving_var',
                                          initializer='ones', trainable=False)

    def call(self, X, training=None):
        Y, moving_mean, moving_var = batch_norm(
            X, self.gamma, self.beta, self.moving_mean, self.moving_var,
            eps=1e-5, momentum=0.1, training=training)
        if training:
            self.moving_mean.assign(moving_mean)
            self.moving_var.assign(moving_var)
        return Y


def batch_norm_concise():
    return keras.layers.BatchNormalization(momentum=0.9, epsilon=1e-5)


def batch_norm_momentum_unconverted():
    """PyTorch's momentum=0.1 copied without converting the convention."""
    return keras.layers.BatchNormalization(momentum=0.1, epsilon=1e-5)


def batch_norm_default_eps():
    """Keras's own default epsilon, 1e-3."""
    return keras.layers.BatchNormalization(momentum=0.9)
