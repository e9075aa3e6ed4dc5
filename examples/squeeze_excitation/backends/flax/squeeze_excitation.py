"""Squeeze-and-excitation in Flax (linen); feature maps are NHWC."""

from flax import linen as nn


class SqueezeExcitation(nn.Module):
    channels: int = 8
    reduction: int = 4

    def setup(self):
        self.excite = nn.Sequential([nn.Dense(self.channels // self.reduction), nn.relu,
                                     nn.Dense(self.channels), nn.sigmoid])

    def __call__(self, x):  # x: (N, H, W, C)
        s = self.excite(x.mean(axis=(1, 2)))  # (N, C)
        return x * s[:, None, None, :]
