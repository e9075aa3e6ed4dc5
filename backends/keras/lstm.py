"""d2l §10.1: the LSTM with high-level APIs (batch-major: (batch, steps, inputs))."""

import keras


class LSTM(keras.Model):
    def __init__(self, num_inputs, num_hiddens):  # Keras infers num_inputs
        super().__init__()
        self.rnn = keras.layers.LSTM(num_hiddens, return_sequences=True,
                                     return_state=True)

    def call(self, inputs, H, C):
        outputs, H, C = self.rnn(inputs, initial_state=[H, C])
        return outputs, H, C
