"""d2l §6.1: a constant weight, a reused layer and Python control flow."""

import keras
from keras import ops


class FixedHiddenMLP(keras.Model):
    def __init__(self):
        super().__init__()
        # A non-trainable weight: no gradient, never updated by the optimizer
        self.rand_weight = self.add_weight(
            shape=(20, 20), initializer='random_uniform', trainable=False,
            name='rand_weight')
        self.linear = keras.layers.Dense(20)

    def call(self, X):
        X = self.linear(X)
        X = ops.relu(ops.matmul(X, self.rand_weight) + 1)
        # Reuse the dense layer: the two calls share parameters
        X = self.linear(X)
        # Control flow (eager only: tf.function would need autograph)
        while ops.sum(ops.abs(X)) > 1:
            X /= 2
        return ops.sum(X)

    def compute_output_shape(self, input_shape):
        return ()  # a scalar: Keras cannot trace the loop symbolically to find out
