"""d2l §10.2: the GRU with high-level APIs (batch-major: (batch, steps, inputs))."""

import keras


class GRU(keras.Model):
    def __init__(self, num_inputs, num_hiddens):  # Keras infers num_inputs
        super().__init__()
        # reset_after=True (the default) is the form PyTorch computes
        self.rnn = keras.layers.GRU(num_hiddens, return_sequences=True,
                                    return_state=True)

    def call(self, inputs, H=None):
        outputs, H = self.rnn(inputs, initial_state=H)
        return outputs, H

