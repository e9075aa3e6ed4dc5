"""d2l §11.7: residual connection followed by layer normalization."""

import keras


class AddNorm(keras.layers.Layer):
    def __init__(self, norm_shape, dropout):  # Keras normalizes the last axis
        super().__init__()
        self.dropout = keras.layers.Dropout(dropout)
        # Keras's default epsilon is 1e-3; PyTorch's 1e-5. (The book passes
        # norm_shape as the first argument, which is the *axis* in Keras)
        self.ln = keras.layers.LayerNormalization(epsilon=1e-5)

    def call(self, X, Y):
        return self.ln(self.dropout(Y) + X)
