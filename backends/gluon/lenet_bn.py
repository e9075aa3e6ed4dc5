"""d2l §8.5: LeNet with batch normalisation, from scratch and concise."""

from mxnet.gluon import nn

from backends.gluon.batch_norm import BatchNorm  # d2l §8.5, the layer from scratch


class BNLeNetScratch(nn.Block):
    def __init__(self, num_classes=10, **kwargs):
        super().__init__(**kwargs)
        self.net = nn.Sequential()
        self.net.add(
            nn.Conv2D(6, kernel_size=5), BatchNorm(6, num_dims=4),
            nn.Activation('sigmoid'), nn.AvgPool2D(pool_size=2, strides=2),
            nn.Conv2D(16, kernel_size=5), BatchNorm(16, num_dims=4),
            nn.Activation('sigmoid'), nn.AvgPool2D(pool_size=2, strides=2),
            nn.Flatten(), nn.Dense(120), BatchNorm(120, num_dims=2),
            nn.Activation('sigmoid'), nn.Dense(84), BatchNorm(84, num_dims=2),
            nn.Activation('sigmoid'), nn.Dense(num_classes))

    def forward(self, X):  # X: (N, 1, 28, 28)
        return self.net(X)


class BNLeNet(nn.Block):
    def __init__(self, num_classes=10, **kwargs):
        super().__init__(**kwargs)
        self.net = nn.Sequential()
        self.net.add(
            nn.Conv2D(6, kernel_size=5), nn.BatchNorm(momentum=0.9, epsilon=1e-5),
            nn.Activation('sigmoid'), nn.AvgPool2D(pool_size=2, strides=2),
            nn.Conv2D(16, kernel_size=5), nn.BatchNorm(momentum=0.9, epsilon=1e-5),
            nn.Activation('sigmoid'), nn.AvgPool2D(pool_size=2, strides=2),
            nn.Flatten(), nn.Dense(120), nn.BatchNorm(momentum=0.9, epsilon=1e-5),
            nn.Activation('sigmoid'), nn.Dense(84),
            nn.BatchNorm(momentum=0.9, epsilon=1e-5),
            nn.Activation('sigmoid'), nn.Dense(num_classes))

    def forward(self, X):  # X: (N, 1, 28, 28)
        return self.net(X)
