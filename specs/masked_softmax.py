"""d2l §11.3: ``masked_softmax``, a softmax over the last axis that ignores the keys past a valid length.

For scores X (2, 2, 4) and per-query valid lengths (2, 2), entries at key positions j >= valid length
are replaced by -1e6 before the softmax, so they get weight exp(-1e6 - max) = 0 exactly in float32 and
float64; the kept entries are an ordinary softmax. Valid lengths are drawn in [1, 4]: a query with no key
at all (length 0) has no meaningful result, and frameworks disagree on it (d2l's -1e6 fill gives uniform
weights, PyTorch's MultiheadAttention NaN, ``need_weights=False`` zeros; docs/conventions/seq.md
trap 10). The spec keeps it out.

The book's four versions compute this function (MXNet through ``npx.sequence_mask``); its PyTorch
version fills in place, ``X[~mask] = value``, on a view of its input: called on a tensor that requires
a gradient itself (a leaf, as here) it raises "a view of a leaf Variable that requires grad is being
used in an in-place operation". It works inside the attention blocks, where the scores are computed.
The PyTorch realisation uses the out-of-place ``masked_fill``.
"""

from harness.spec import Input, Spec
from specs import _attention
from specs._ops import no_tap


def masked_softmax(X, valid_lens, p, c, tap=no_tap):
    return _attention.masked_softmax(X, valid_lens)


SPEC = Spec(
    name="masked_softmax",
    title="masked_softmax: softmax over the last axis with per-query valid lengths",
    section="11.3 Attention Scoring Functions",
    model="masked_softmax",
    function=True,
    inputs={"X": Input((2, 2, 4)), "valid_lens": Input((2, 2), dist="randint:1:5")},
    reference=masked_softmax,
)
