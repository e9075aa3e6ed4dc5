"""d2l §5.6: dropout, the built-in layer and the concise DropoutMLP."""

import keras


def dropout():
    return keras.layers.Dropout(0.3)


class DropoutMLP(keras.Model):
    def __init__(self, num_outputs, num_hiddens_1, num_hiddens_2,
                 dropout_1, dropout_2):
        super().__init__()
        self.net = keras.Sequential([
            keras.layers.Flatten(),
            keras.layers.Dense(num_hiddens_1, activation='relu'),
            keras.layers.Dropout(dropout_1),
            keras.layers.Dense(num_hiddens_2, activation='relu'),
            keras.layers.Dropout(dropout_2),
            keras.layers.Dense(num_outputs)])

    def call(self, X):
        return self.net(X)
