"""d2l §10.7: the RNN encoder for sequence-to-sequence learning (batch-major)."""

import keras

from .deep_gru import GRU


class Seq2SeqEncoder(keras.Model):
    def __init__(self, vocab_size, embed_size, num_hiddens, num_layers,
                 dropout=0):
        super().__init__()
        self.embedding = keras.layers.Embedding(vocab_size, embed_size)
        self.rnn = GRU(embed_size, num_hiddens, num_layers, dropout)

    def call(self, X, *args):
        # X shape: (batch_size, num_steps); Keras's RNN layers are batch-major
        embs = self.embedding(X)
        # embs shape: (batch_size, num_steps, embed_size)
        outputs, state = self.rnn(embs)
        # outputs shape: (batch_size, num_steps, num_hiddens)
        # state: one (batch_size, num_hiddens) per layer
        return outputs, state
