"""d2l §11.6: sinusoidal positional encoding, ``PositionalEncoding``: X + P[:T].

P[t, 2i] = sin(t / 10000^(2i/d)) and P[t, 2i+1] = cos(t / 10000^(2i/d)), a fixed table (no parameters)
built for 1000 positions and added to X (2, 60, 32), as the book's example (evaluation mode: dropout 0).
The spec's table is float64, rounded once to the run's dtype.

The book's PyTorch, JAX and TensorFlow versions build the table in float32 explicitly
(``dtype=torch.float32``): in a float64 run its entries are off the float64 table by up to F32_TABLE_GAP
(here, rows 0..59), which a float64 check sees. The realisations build it in the run's dtype (PyTorch
and Gluon in the default dtype, Keras and flax in float64, cast to X's dtype when added).
"""

from harness.spec import Input, Spec
from specs import _attention
from specs._ops import no_tap

N, T, D, MAX_LEN = 2, 60, 32, 1000


def positional_encoding(X, p, c, tap=no_tap):
    return X + _attention.positional_table(MAX_LEN, D)[None, :X.shape[1]]


SPEC = Spec(
    name="positional_encoding",
    title="PositionalEncoding: X + sinusoidal table, 60 steps of 32 features",
    section="11.6 Self-Attention and Positional Encoding",
    model="PositionalEncoding",
    args={"num_hiddens": D, "dropout": 0.0},
    inputs={"X": Input((N, T, D))},
    reference=positional_encoding,
    tolerance={"float32": 1e-5, "float64": 1e-10},
    tolerance_why="one addition of a table rounded once: float32 measured MEASURED.",
)
