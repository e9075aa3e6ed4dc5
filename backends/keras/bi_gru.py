"""d2l §10.4: the bidirectional GRU with high-level APIs (batch-major)."""

import keras


class BiGRU(keras.Model):
    def __init__(self, num_inputs, num_hiddens):  # Keras infers num_inputs
        super().__init__()
        self.rnn = keras.layers.Bidirectional(keras.layers.GRU(
            num_hiddens, return_sequences=True, return_state=True))

    def call(self, inputs, H):
        # H: [forward, backward]; outputs concatenate both directions
        outputs, *H = self.rnn(inputs, initial_state=H)
        return outputs, H
