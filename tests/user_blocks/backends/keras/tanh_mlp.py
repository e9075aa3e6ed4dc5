import keras


class TanhMLP(keras.Model):
    def __init__(self):
        super().__init__()
        self.hidden = keras.layers.Dense(8, activation="tanh")
        self.out = keras.layers.Dense(4)

    def call(self, x):
        return self.out(self.hidden(x))
