"""d2l §8.6: ResNet's stem and first residual stages."""

from torch import nn

from backends.torch.residual import Residual  # d2l §8.6


class ResNet(nn.Module):
    def __init__(self, arch, num_channels=64):
        super().__init__()
        self.b1 = nn.Sequential(
            nn.LazyConv2d(num_channels, kernel_size=7, stride=2, padding=3),
            nn.LazyBatchNorm2d(), nn.ReLU(),
            nn.MaxPool2d(kernel_size=3, stride=2, padding=1))
        self.b2 = self.block(*arch[0], first_block=True)
        self.b3 = self.block(*arch[1])

    def block(self, num_residuals, num_channels, first_block=False):
        blk = []
        for i in range(num_residuals):
            if i == 0 and not first_block:
                blk.append(Residual(num_channels, use_1x1conv=True, strides=2))
            else:
                blk.append(Residual(num_channels))
        return nn.Sequential(*blk)

    def forward(self, X):  # X: (N, 1, 32, 32)
        return self.b3(self.b2(self.b1(X)))
