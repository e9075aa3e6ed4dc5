"""d2l §11.6: sinusoidal positional encoding, ``PositionalEncoding``: X + P[:T].

P[t, 2i] = sin(t / 10000^(2i/d)) and P[t, 2i+1] = cos(t / 10000^(2i/d)), a fixed table (no parameters)
built for 1000 positions and added to X (2, 60, 32), as the book's example (evaluation mode: dropout 0).
The spec's table is computed in float64.

The book's PyTorch, JAX and TensorFlow versions build the table in float32 explicitly
(``dtype=torch.float32``): in a float64 run its entries are off the float64 table by up to 1.6e-6
(rows 0..59; 2.8e-5 by row 999), 3.4e-7 relative on this spec's output, which only a float64 check
sees. The realisations build it without that dtype (PyTorch in its default dtype, the run's; Gluon,
Keras and flax in float64, cast to X's dtype when added).
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
    tolerance_why="one addition of a table rounded once: float32 measured 3.5e-7, float64 7.4e-16.",
)
