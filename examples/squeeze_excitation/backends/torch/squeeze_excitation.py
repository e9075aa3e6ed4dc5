"""Squeeze-and-excitation in PyTorch (as torchvision.ops.SqueezeExcitation)."""

from torch import nn


class SqueezeExcitation(nn.Module):
    def __init__(self, channels=8, reduction=4):
        super().__init__()
        self.excite = nn.Sequential(nn.Linear(channels, channels // reduction), nn.ReLU(),
                                    nn.Linear(channels // reduction, channels), nn.Sigmoid())

    def forward(self, x):  # x: (N, C, H, W)
        s = self.excite(x.mean(dim=(2, 3)))  # one gate per channel: (N, C)
        return x * s[:, :, None, None]
