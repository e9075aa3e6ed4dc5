"""d2l §9.6: the RNN with high-level APIs (batch-major: (batch, steps, inputs))."""

import keras


class RNN(keras.Model):
    def __init__(self, num_inputs, num_hiddens):  # Keras infers num_inputs
        super().__init__()
        self.rnn = keras.layers.SimpleRNN(num_hiddens, return_sequences=True,
                                          return_state=True)

    def call(self, inputs, H=None):
        outputs, H = self.rnn(inputs, initial_state=H)
        return outputs, H
