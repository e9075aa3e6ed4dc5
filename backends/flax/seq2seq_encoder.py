"""d2l §10.7: the RNN encoder for sequence-to-sequence learning (batch-major)."""

from flax import linen as nn

from .deep_gru import GRU


class Seq2SeqEncoder(nn.Module):
    vocab_size: int
    embed_size: int
    num_hiddens: int
    num_layers: int
    dropout: float = 0

    def setup(self):
        self.embedding = nn.Embed(self.vocab_size, self.embed_size)
        self.rnn = GRU(self.embed_size, self.num_hiddens, self.num_layers,
                       self.dropout)

    def __call__(self, X, *args, training=False):
        # X shape: (batch_size, num_steps); nn.RNN is batch-major
        embs = self.embedding(X)
        # embs shape: (batch_size, num_steps, embed_size)
        outputs, state = self.rnn(embs, training=training)
        # outputs shape: (batch_size, num_steps, num_hiddens)
        # state: one (batch_size, num_hiddens) per layer
        return outputs, state
