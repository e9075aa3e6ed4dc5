"""d2l §10.3: the multilayer GRU: one RNN over a stack of GRU cells."""

import keras


class GRU(keras.Model):
    def __init__(self, num_inputs, num_hiddens, num_layers, dropout=0):
        super().__init__()  # Keras infers num_inputs
        gru_cells = [keras.layers.GRUCell(num_hiddens, dropout=dropout)
                     for _ in range(num_layers)]
        self.rnn = keras.layers.RNN(gru_cells, return_sequences=True,
                                    return_state=True)

    def call(self, inputs, H=None):
        # H: one state per layer
        outputs, *H = self.rnn(inputs, initial_state=H)
        return outputs, H
