"""d2l §8.5: batch normalisation from scratch, and the built-in layer."""

import torch
from torch import nn


def batch_norm(X, gamma, beta, moving_mean, moving_var, eps, momentum, training):
    if not training:  # prediction mode: the moving averages
        X_hat = (X - moving_mean) / torch.sqrt(moving_var + eps)
    else:
        assert len(X.shape) in (2, 4)
        if len(X.shape) == 2:  # fully connected: statistics per feature
            mean = X.mean(dim=0)
            var = ((X - mean) ** 2).mean(dim=0)
        else:  # convolutional: statistics per channel (axis 1)
            mean = X.mean(dim=(0, 2, 3), keepdim=True)
            var = ((X - mean) ** 2).mean(dim=(0, 2, 3), keepdim=True)
        X_hat = (X - mean) / torch.sqrt(var + eps)
        moving_mean = (1.0 - momentum) * moving_mean + momentum * mean
        moving_var = (1.0 - momentum) * moving_var + momentum * var
    Y = gamma * X_hat + beta  # scale and shift
    return Y, moving_mean.data, moving_var.data


class BatchNorm(nn.Module):
    def __init__(self, num_features, num_dims):
        super().__init__()
        shape = (1, num_features) if num_dims == 2 else (1, num_features, 1, 1)
        self.gamma = nn.Parameter(torch.ones(shape))  # scale
        self.beta = nn.Parameter(torch.zeros(shape))  # shift
        self.moving_mean = torch.zeros(shape)  # not parameters
        self.moving_var = torch.ones(shape)

    def forward(self, X):
        Y, self.moving_mean, self.moving_var = batch_norm(
            X, self.gamma, self.beta, self.moving_mean, self.moving_var,
            eps=1e-5, momentum=0.1, training=self.training)
        return Y


class BatchNormGradEnabled(BatchNorm):
    """As printed in the book: the mode comes from ``torch.is_grad_enabled()``."""

    def forward(self, X):
        Y, self.moving_mean, self.moving_var = batch_norm(
            X, self.gamma, self.beta, self.moving_mean, self.moving_var,
            eps=1e-5, momentum=0.1, training=torch.is_grad_enabled())
        return Y


class BatchNormUnbiasedVar(BatchNorm):
    """A port that writes ``X.var(dim=0)``: unbiased (n - 1) by default in torch."""

    def forward(self, X):
        if not self.training:
            return super().forward(X)
        mean, var = X.mean(dim=0), X.var(dim=0)
        m = 0.1
        self.moving_mean = ((1 - m) * self.moving_mean + m * mean).data
        self.moving_var = ((1 - m) * self.moving_var + m * var).data
        return self.gamma * (X - mean) / torch.sqrt(var + 1e-5) + self.beta


def batch_norm_concise():
    return nn.LazyBatchNorm1d(eps=1e-5, momentum=0.1)
