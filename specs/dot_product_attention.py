"""d2l §11.3: scaled dot-product attention, ``DotProductAttention``, with valid lengths.

softmax(Q K^T / sqrt(d)) V over the first ``valid_lens[n]`` keys of each example (``masked_softmax``),
for queries (2, 1, 2), keys (2, 10, 2), values (2, 10, 4) and valid lengths in [1, 10], as the book's
example. Dropout acts on the attention weights; evaluation mode (dropout 0 here) makes it the identity.
The block has no parameters: it is checked on its output and the gradients of queries, keys and values.

The book's four versions compute this function (the JAX one also returns the attention weights; here
flax ``sow``s them, as PyTorch, Keras and Gluon keep them in ``self.attention_weights``). Without the
1/sqrt(d) scale the output is off by 0.22 (relative) here (the variant ``transformer_unscaled`` shows where
that mistake is found in a Transformer block).
"""

from harness.spec import Input, Spec
from specs import _attention
from specs._ops import no_tap


def dot_product_attention(queries, keys, values, valid_lens, p, c, tap=no_tap):
    return _attention.dot_product_attention(queries, keys, values, valid_lens)


SPEC = Spec(
    name="dot_product_attention",
    title="DotProductAttention: softmax(QK^T/sqrt(d)) V with valid lengths",
    section="11.3 Attention Scoring Functions",
    model="DotProductAttention",
    args={"dropout": 0.0},
    inputs={"queries": Input((2, 1, 2)), "keys": Input((2, 10, 2)), "values": Input((2, 10, 4)),
            "valid_lens": Input((2,), dist="randint:1:11")},
    reference=dot_product_attention,
    tolerance={"float32": 1e-5, "float64": 1e-10},
    tolerance_why="2-term scores, a 10-way softmax and a 10-term weighted sum: float32 measured 2.3e-7, "
    "float64 4.0e-16.",
)
