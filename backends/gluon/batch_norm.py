"""d2l §8.5: batch normalisation from scratch, and the built-in layer."""

from mxnet import autograd, init, np
from mxnet.gluon import nn


def batch_norm(X, gamma, beta, moving_mean, moving_var, eps, momentum):
    if not autograd.is_training():  # prediction mode: the moving averages
        X_hat = (X - moving_mean) / np.sqrt(moving_var + eps)
    else:
        assert len(X.shape) in (2, 4)
        if len(X.shape) == 2:  # fully connected: statistics per feature
            mean = X.mean(axis=0)
            var = ((X - mean) ** 2).mean(axis=0)
        else:  # convolutional: statistics per channel (axis 1)
            mean = X.mean(axis=(0, 2, 3), keepdims=True)
            var = ((X - mean) ** 2).mean(axis=(0, 2, 3), keepdims=True)
        X_hat = (X - mean) / np.sqrt(var + eps)
        moving_mean = (1.0 - momentum) * moving_mean + momentum * mean
        moving_var = (1.0 - momentum) * moving_var + momentum * var
    Y = gamma * X_hat + beta  # scale and shift
    return Y, moving_mean, moving_var


class BatchNorm(nn.Block):
    def __init__(self, num_features, num_dims, **kwargs):
        super().__init__(**kwargs)
        shape = (1, num_features) if num_dims == 2 else (1, num_features, 1, 1)
        self.gamma = self.params.get('gamma', shape=shape, init=init.One())
        self.beta = self.params.get('beta', shape=shape, init=init.Zero())
        self.moving_mean = np.zeros(shape)  # not parameters
        self.moving_var = np.ones(shape)

    def forward(self, X):
        Y, self.moving_mean, self.moving_var = batch_norm(
            X, self.gamma.data(), self.beta.data(), self.moving_mean,
            self.moving_var, eps=1e-5, momentum=0.1)
        return Y


def batch_norm_concise():
    return nn.BatchNorm(momentum=0.9, epsilon=1e-5)


def batch_norm_momentum_unconverted():
    """PyTorch's momentum=0.1 copied without converting the convention."""
    return nn.BatchNorm(momentum=0.1, epsilon=1e-5)
