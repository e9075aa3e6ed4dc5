"""d2l §6.5: a fully connected layer from raw parameters."""

import keras
from keras import ops


class MyLinear(keras.layers.Layer):
    def __init__(self, in_units, units):
        super().__init__()
        self.weight = self.add_weight(shape=(in_units, units), name='weight',
                                      initializer='random_normal')
        self.bias = self.add_weight(shape=(units,), name='bias',
                                    initializer='random_normal')

    def call(self, X):
        linear = ops.matmul(X, self.weight) + self.bias
        return ops.relu(linear)


class MyLinearDataAttr(MyLinear):
    """The book's PyTorch ``.data`` mistake in Keras: values without gradient."""

    def call(self, X):
        weight = ops.stop_gradient(self.weight)
        bias = ops.stop_gradient(self.bias)
        return ops.relu(ops.matmul(X, weight) + bias)
