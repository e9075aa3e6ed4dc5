"""d2l §8.6: ResNet's stem and first residual stages."""

from mxnet.gluon import nn

from backends.gluon.residual import Residual  # d2l §8.6


class ResNet(nn.Block):
    def __init__(self, arch, num_channels=64, **kwargs):
        super().__init__(**kwargs)
        self.b1 = nn.Sequential()
        self.b1.add(nn.Conv2D(num_channels, kernel_size=7, strides=2, padding=3),
                    nn.BatchNorm(momentum=0.9, epsilon=1e-5), nn.Activation('relu'),
                    nn.MaxPool2D(pool_size=3, strides=2, padding=1))
        self.b2 = self.block(*arch[0], first_block=True)
        self.b3 = self.block(*arch[1])

    def block(self, num_residuals, num_channels, first_block=False):
        blk = nn.Sequential()
        for i in range(num_residuals):
            if i == 0 and not first_block:
                blk.add(Residual(num_channels, use_1x1conv=True, strides=2))
            else:
                blk.add(Residual(num_channels))
        return blk

    def forward(self, X):  # X: (N, 1, 32, 32)
        return self.b3(self.b2(self.b1(X)))
