"""d2l §8.5: batch normalisation from scratch, and the built-in layer."""

import jax
import jax.numpy as jnp
from flax import linen as nn


def batch_norm(X, deterministic, gamma, beta, moving_mean, moving_var, eps,
               momentum):
    if deterministic:  # prediction mode: the moving averages
        X_hat = (X - moving_mean.value) / jnp.sqrt(moving_var.value + eps)
    else:
        assert len(X.shape) in (2, 4)
        if len(X.shape) == 2:  # fully connected: statistics per feature
            mean = X.mean(axis=0)
            var = ((X - mean) ** 2).mean(axis=0)
        else:  # convolutional, NHWC: statistics per channel (the last axis)
            mean = X.mean(axis=(0, 1, 2), keepdims=True)
            var = ((X - mean) ** 2).mean(axis=(0, 1, 2), keepdims=True)
        X_hat = (X - mean) / jnp.sqrt(var + eps)
        moving_mean.value = momentum * moving_mean.value + (1.0 - momentum) * mean
        moving_var.value = momentum * moving_var.value + (1.0 - momentum) * var
    return gamma * X_hat + beta  # scale and shift


class BatchNorm(nn.Module):
    num_features: int
    num_dims: int
    deterministic: bool = False

    @nn.compact
    def __call__(self, X):
        if self.num_dims == 2:
            shape = (1, self.num_features)
        else:
            shape = (1, 1, 1, self.num_features)
        gamma = self.param('gamma', jax.nn.initializers.ones, shape)
        beta = self.param('beta', jax.nn.initializers.zeros, shape)
        # not parameters: kept in the 'batch_stats' collection
        moving_mean = self.variable('batch_stats', 'moving_mean', jnp.zeros, shape)
        moving_var = self.variable('batch_stats', 'moving_var', jnp.ones, shape)
        return batch_norm(X, self.deterministic, gamma, beta, moving_mean,
                          moving_var, eps=1e-5, momentum=0.9)


def batch_norm_concise(training=True):
    return nn.BatchNorm(use_running_average=not training, momentum=0.9,
                        epsilon=1e-5, use_fast_variance=False)


def batch_norm_momentum_unconverted(training=True):
    """PyTorch's momentum=0.1 copied without converting the convention."""
    return nn.BatchNorm(use_running_average=not training, momentum=0.1,
                        epsilon=1e-5, use_fast_variance=False)
