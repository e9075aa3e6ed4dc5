"""d2l §8.4: the Inception block of GoogLeNet, NHWC."""

import keras


class Inception(keras.Model):
    # c1--c4 are the number of output channels for each branch
    def __init__(self, c1, c2, c3, c4):
        super().__init__()
        Conv2D = keras.layers.Conv2D
        self.b1_1 = Conv2D(c1, 1, activation='relu')  # branch 1
        self.b2_1 = Conv2D(c2[0], 1, activation='relu')  # branch 2
        self.b2_2 = Conv2D(c2[1], 3, padding='same', activation='relu')
        self.b3_1 = Conv2D(c3[0], 1, activation='relu')  # branch 3
        self.b3_2 = Conv2D(c3[1], 5, padding='same', activation='relu')
        self.b4_1 = keras.layers.MaxPooling2D(3, 1, padding='same')  # branch 4
        self.b4_2 = Conv2D(c4, 1, activation='relu')

    def call(self, x):
        b1 = self.b1_1(x)
        b2 = self.b2_2(self.b2_1(x))
        b3 = self.b3_2(self.b3_1(x))
        b4 = self.b4_2(self.b4_1(x))
        return keras.ops.concatenate([b1, b2, b3, b4], axis=-1)  # NHWC: channels last
