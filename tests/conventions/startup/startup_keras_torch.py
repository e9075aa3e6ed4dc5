import os
os.environ.setdefault('KERAS_BACKEND', 'torch')
import torch, keras
net = keras.Sequential([keras.Input((20,)), keras.layers.Dense(256, activation='relu'), keras.layers.Dense(10)])
x = torch.rand(2, 20, requires_grad=True)
net(x).sum().backward()
assert x.grad.shape == (2, 20) and net.layers[0].kernel.value.grad.shape == (20, 256)
