"""d2l §8.5: batch normalisation from scratch, and the built-in layer."""

import jax.numpy as jnp
from flax import nnx


def batch_norm(X, use_running_average, gamma, beta, moving_mean, moving_var, eps,
               momentum):
    if use_running_average:  # prediction mode: the moving averages
        X_hat = (X - moving_mean) / jnp.sqrt(moving_var + eps)
    else:
        assert len(X.shape) in (2, 4)
        # per feature; NHWC: per channel
        axes = (0,) if len(X.shape) == 2 else (0, 1, 2)
        mean = X.mean(axis=axes, keepdims=True)
        var = ((X - mean) ** 2).mean(axis=axes, keepdims=True)
        X_hat = (X - mean) / jnp.sqrt(var + eps)
        moving_mean = momentum * moving_mean + (1.0 - momentum) * mean
        moving_var = momentum * moving_var + (1.0 - momentum) * var
    return gamma * X_hat + beta, moving_mean, moving_var


class BatchNorm(nnx.Module):
    def __init__(self, num_features, num_dims, *, rngs: nnx.Rngs):
        shape = (1, num_features) if num_dims == 2 else (1, 1, 1, num_features)
        self.gamma = nnx.Param(jnp.ones(shape))
        self.beta = nnx.Param(jnp.zeros(shape))
        # not parameters: nnx.BatchStat variables, updated in place
        self.moving_mean = nnx.BatchStat(jnp.zeros(shape))
        self.moving_var = nnx.BatchStat(jnp.ones(shape))
        self.use_running_average = False  # model.eval() sets it

    def __call__(self, X):
        Y, mean, var = batch_norm(
            X, self.use_running_average, self.gamma[...], self.beta[...],
            self.moving_mean[...], self.moving_var[...], eps=1e-5, momentum=0.9)
        self.moving_mean[...], self.moving_var[...] = mean, var
        return Y


def batch_norm_concise(*, rngs: nnx.Rngs):
    return nnx.BatchNorm(6, momentum=0.9, epsilon=1e-5, use_fast_variance=False,
                         rngs=rngs)


def batch_norm_momentum_unconverted(*, rngs: nnx.Rngs):
    """PyTorch's momentum=0.1 copied without converting the convention."""
    return nnx.BatchNorm(6, momentum=0.1, epsilon=1e-5, use_fast_variance=False,
                         rngs=rngs)

