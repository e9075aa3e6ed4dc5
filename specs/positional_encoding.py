"""d2l §11.6: sinusoidal positional encoding, ``PositionalEncoding``: X + P[:T].

P[t, 2i] = sin(t / 10000^(2i/d)) and P[t, 2i+1] = cos(t / 10000^(2i/d)), a fixed table (no parameters)
built for 1000 positions and added to X (2, 60, 32), as the book's example, then dropout (p = 0.3). The
spec's table is computed in float64. In evaluation mode the dropout is the identity, which the exact
match checks; in training mode each framework draws its own mask, and since the dropout is the block's
last step its output is checked by the properties of the ``dropout`` spec with X + P in place of the
layer's input (``harness.checks.dropout_checks``): each output 0 or (X + P) / (1 - p), the dropped
fraction near p, the input gradient the same mask times the cotangent over 1 - p.

The book's PyTorch, JAX and TensorFlow versions build the table in float32 explicitly
(``dtype=torch.float32``): in a float64 run its entries carry float32 rounding, far below the float32
tolerance and far above float64's, which only a float64 check sees. The realisations build it without
that dtype (PyTorch in its default dtype, the run's; Gluon, Keras and flax in float64, cast to X's dtype
when added).
"""

from harness.spec import Input, Spec, Variant
from specs import _attention
from specs._ops import no_tap

N, T, D, MAX_LEN, P = 2, 60, 32, 1000, 0.3


def positional_encoding(X, p, c, tap=no_tap, training=False):
    if training:
        raise ValueError("training-mode dropout is random: checked by properties, not by a reference")
    return X + _attention.positional_table(MAX_LEN, D)[None, :X.shape[1]]


SPEC = Spec(
    name="positional_encoding",
    title="PositionalEncoding: X + sinusoidal table, 60 steps of 32 features",
    section="11.6 Self-Attention and Positional Encoding",
    model="PositionalEncoding",
    args={"num_hiddens": D, "dropout": P},
    modes=("train", "eval"),
    dropout=P,
    variants=(
        Variant(
            name="dropout_in_eval",
            model="PositionalEncodingFunctionalDropout",
            backends=("torch",),
            expected_tap="output",
            why="nn.functional.dropout(X, p) drops whenever it is called: its training argument defaults "
            "to True and does not follow .eval(), so the block drops in evaluation too (in training it "
            "is right). Invisible while p = 0. Fix: an nn.Dropout module, or training=self.training.",
        ),
    ),
    inputs={"X": Input((N, T, D))},
    reference=positional_encoding,
)
