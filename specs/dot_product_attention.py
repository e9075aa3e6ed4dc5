"""d2l §11.3: scaled dot-product attention, ``DotProductAttention``, with and without valid lengths.

softmax(Q K^T / sqrt(d)) V over the first ``valid_lens[n]`` keys of each example (``masked_softmax``),
for queries (2, 1, 2), keys (2, 10, 2), values (2, 10, 4) and valid lengths in [1, 10], as the book's
example; ``dot_product_attention_all_keys`` is called without valid lengths (``valid_lens=None``, the
default): every key counts. Dropout (p = 0.5) acts on the attention weights; evaluation mode makes it
the identity, which the exact match with the reference checks. The block has no parameters: it is
checked on its output and the gradients of queries, keys and values.

The book's four versions compute this function (the JAX one also returns the attention weights; here
flax ``sow``s them, as PyTorch, Keras and Gluon keep them in ``self.attention_weights``). Without the
1/sqrt(d) scale every output moves (the variant ``transformer_unscaled`` shows where
that mistake is found in a Transformer block).
"""

from harness.spec import Input, Spec, Variant
from specs import _attention
from specs._ops import no_tap

QKV = {"queries": Input((2, 1, 2)), "keys": Input((2, 10, 2)), "values": Input((2, 10, 4))}


def dot_product_attention(queries, keys, values, valid_lens, p, c, tap=no_tap):
    return _attention.dot_product_attention(queries, keys, values, valid_lens)


def all_keys(queries, keys, values, p, c, tap=no_tap):
    return _attention.dot_product_attention(queries, keys, values, None)


SPECS = [
    Spec(
        name="dot_product_attention",
        title="DotProductAttention: softmax(QK^T/sqrt(d)) V with valid lengths",
        section="11.3 Attention Scoring Functions",
        model="DotProductAttention",
        args={"dropout": 0.5},
        inputs={**QKV, "valid_lens": Input((2,), dist="randint:1:11")},
        reference=dot_product_attention,
        variants=(
            Variant(
                name="attention_ignores_valid_lens",
                model="DotProductAttentionAllKeys",
                backends=("torch",),
                expected_tap="output",
                why="A softmax over every key, the valid lengths taken but never used: right whenever "
                "the lengths are absent or cover every key, wrong as soon as one is shorter. Fix: "
                "masked_softmax(scores, valid_lens).",
            ),
        ),
    ),
    Spec(
        name="dot_product_attention_all_keys",
        title="DotProductAttention without valid lengths: every key counts",
        section="11.3 Attention Scoring Functions",
        model="DotProductAttention",
        args={"dropout": 0.5},
        inputs=QKV,
        reference=all_keys,
    ),
]
