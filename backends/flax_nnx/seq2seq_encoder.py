"""d2l §10.7: the RNN encoder for sequence-to-sequence learning (batch-major)."""

from flax import nnx

from .deep_gru import GRU


class Seq2SeqEncoder(nnx.Module):
    def __init__(self, vocab_size, embed_size, num_hiddens, num_layers, dropout=0, *,
                 dtype=None, rngs: nnx.Rngs):
        # nnx.Embed fixes the dtype of its lookups when it is built (dtype or the
        # table's: float32), so a float64 table loaded later still gives float32
        # embeddings unless dtype says otherwise
        self.embedding = nnx.Embed(vocab_size, embed_size, dtype=dtype, rngs=rngs)
        self.rnn = GRU(embed_size, num_hiddens, num_layers, dropout, rngs=rngs)

    def __call__(self, X, *args):
        # X shape: (batch_size, num_steps); nnx.RNN is batch-major
        embs = self.embedding(X)
        # embs shape: (batch_size, num_steps, embed_size)
        outputs, state = self.rnn(embs)
        # outputs shape: (batch_size, num_steps, num_hiddens)
        # state: one (batch_size, num_hiddens) per layer
        return outputs, state
