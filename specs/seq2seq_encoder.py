"""d2l §10.7: the RNN encoder of sequence-to-sequence learning, an Embedding and a two-layer GRU.

Token ids X (batch 4, 9 steps, vocabulary 10) are embedded (8 features), read time-major by the
two-layer GRU of ``deep_gru`` (16 hidden units) from zero states; the block returns every top-layer
state (9, 4, 16) and both layers' final states (2, 4, 16). The ids are an integer input: there is no
gradient for them, only for the embedding table and the GRU. PyTorch and Gluon transpose X to
time-major before the embedding (as the book does); Keras and flax embed batch-major and the harness
transposes their outputs.

The book's four versions compute this function (its JAX GRU's layer bug only shows from three layers
on); the TensorFlow version passes ``time_major=True``, gone in Keras 3.
"""

import numpy as np

from harness.spec import Input, Param, Spec
from specs import _rnn
from specs._ops import no_tap

N, T, V, E, H, L = 4, 9, 10, 8, 16, 2


def seq2seq_encoder(X, p, c, tap=no_tap):
    embs = tap("embedding", p["embedding.weight"][X.T])  # (num_steps, batch_size, embed_size)
    output, state, _ = _rnn.recurrent("gru", embs, np.zeros((L, N, H)), None, p, prefix="rnn.rnn.", num_layers=L)
    return output, state


SPEC = Spec(
    name="seq2seq_encoder",
    title="Seq2SeqEncoder: Embedding(10, 8) and a two-layer GRU(8, 16) over token ids",
    section="10.7 Sequence-to-Sequence Learning for Machine Translation",
    model="Seq2SeqEncoder",
    args={"vocab_size": V, "embed_size": E, "num_hiddens": H, "num_layers": L},
    inputs={"X": Input((N, T), dist=f"randint:{V}")},
    outputs=("output", "state"),
    output_layout={"output": "TNC", "state": "LNH"},
    params={"embedding.weight": Param((V, E), init="normal"), **_rnn.params("gru", "rnn.rnn.", E, H, num_layers=L)},
    taps={"embedding": "TNC"},
    reference=seq2seq_encoder,
)
