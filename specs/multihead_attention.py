"""d2l §11.5: the book's ``MultiHeadAttention``: 5 heads of scaled dot-product attention over 100 features.

W_q, W_k, W_v (100 -> 100, with biases: the book's ``bias=True``) project queries (2, 4, 100), keys and
values (2, 6, 100); ``transpose_qkv`` splits the features into 5 contiguous heads of 20 and stacks heads
on the batch axis (row n*5 + i is head i of example n); ``DotProductAttention`` runs on all heads at
once, each head's keys limited to its example's valid length (``repeat_interleave``, lengths in [1, 6]);
``transpose_output`` concatenates the heads again and W_o projects back. Two more cases call the same
block with one valid length per query, (2, 4) (``multihead_attention_per_query``: each head of an
example repeats its rows), and with none (``multihead_attention_all_keys``: ``valid_lens=None``, every
key counts). Dropout p = 0.5 in evaluation mode: the identity, which the exact match checks.
The key projection's bias cannot change the output: it adds q . b_k to every score of a query, and the
softmax does not see a common shift. Its gradient is zero up to rounding, where a
relative comparison would compare noise with noise, so it is checked to be zero against the block's
largest gradient (``ZeroGrad``).

The book's four versions compute this function (the TensorFlow constructor also takes key, query and
value sizes that Keras infers; the JAX one also returns the attention weights). The spec
``multihead_attention_builtin`` loads the same kind of weights into each framework's own layer.
"""

from harness.spec import Input, Param, Spec, ZeroGrad
from specs import _attention
from specs._ops import no_tap

N, TQ, S, E, HEADS = 2, 4, 6, 100, 5
KEY_BIAS = ("it adds q . b_k to every score of a query, and a softmax does not change when all its inputs "
            "shift alike")
PARAMS = {f"W_{x}.{kind}": (E, E) if kind == "weight" else (E,) for x in "qkvo" for kind in ("weight", "bias")}
PARAMS["W_k.bias"] = Param((E,), zero_grad=ZeroGrad(KEY_BIAS))


def multihead_attention(queries, keys, values, valid_lens, p, c, tap=no_tap):
    return _attention.multihead_attention(queries, keys, values, valid_lens, p, "", HEADS, tap)


def all_keys(queries, keys, values, p, c, tap=no_tap):
    return _attention.multihead_attention(queries, keys, values, None, p, "", HEADS, tap)


QKV = {"queries": Input((N, TQ, E)), "keys": Input((N, S, E)), "values": Input((N, S, E))}


def spec(name, title, reference, inputs):
    return Spec(
        name=name,
        title=title,
        section="11.5 Multi-Head Attention",
        model="MultiHeadAttention",
        args={"num_hiddens": E, "num_heads": HEADS, "dropout": 0.5, "bias": True},
        inputs=inputs,
        params=PARAMS,
        taps={"W_q": None, "W_k": None, "W_v": None, "attention": None},
        reference=reference,
    )


SPECS = [
    spec("multihead_attention", "MultiHeadAttention (the book's): 5 heads, 100 features, with biases, "
         "valid lengths", multihead_attention, {**QKV, "valid_lens": Input((N,), dist=f"randint:1:{S + 1}")}),
    spec("multihead_attention_per_query", "MultiHeadAttention with one valid length per query",
         multihead_attention, {**QKV, "valid_lens": Input((N, TQ), dist=f"randint:1:{S + 1}")}),
    spec("multihead_attention_all_keys", "MultiHeadAttention without valid lengths", all_keys, QKV),
]
