"""d2l §11.5, each framework's own multi-head attention layer, loaded with the book's weights.

The function of ``multihead_attention`` (5 heads, 100 features, biases, valid lengths), computed by
PyTorch's ``nn.MultiheadAttention``, Keras's ``MultiHeadAttention`` and flax's
``MultiHeadDotProductAttention``; canonical parameters are the book's ``W_q``, ``W_k``, ``W_v``, ``W_o``
held in attribute ``attention``. How the same weights are stored: PyTorch packs W_q, W_k, W_v into
``in_proj_weight`` (3E, E); Keras and flax keep a head axis, kernels (E, h, d) and (h, d, E), biases
(h, d). How the valid lengths are given: PyTorch's ``key_padding_mask`` is True for a key to *ignore*;
Keras's ``attention_mask`` and flax's ``mask`` are True for a key to *attend to* (the variant
``mha_mask_inverted`` copies one meaning into the other). Keras takes (query, value, key), value before
key. MXNet Gluon 1.9.1 has no such layer (a documented gap; the book writes it by hand).
"""

from harness.spec import Input, Spec, Variant
from specs import _attention
from specs._ops import no_tap
from specs.multihead_attention import HEADS, PARAMS, TQ, E, N, S


def multihead_attention_builtin(queries, keys, values, valid_lens, p, c, tap=no_tap):
    return _attention.multihead_attention(queries, keys, values, valid_lens, p, "attention.", HEADS)


SPEC = Spec(
    name="multihead_attention_builtin",
    title="each framework's multi-head attention layer, with the book's weights",
    section="11.5 Multi-Head Attention",
    model="BuiltinMultiHeadAttention",
    args={"num_hiddens": E, "num_heads": HEADS, "bias": True},
    inputs={"queries": Input((N, TQ, E)), "keys": Input((N, S, E)), "values": Input((N, S, E)),
            "valid_lens": Input((N,), dist=f"randint:1:{S + 1}")},
    params={f"attention.{k}": v for k, v in PARAMS.items()},
    reference=multihead_attention_builtin,
    variants=(
        Variant(
            name="mha_mask_inverted",
            model="BuiltinMultiHeadAttentionMaskInverted",
            backends=("torch",),
            expected_tap="output",
            why="Boolean attention masks mean opposite things: PyTorch's key_padding_mask and attn_mask are True "
            "where a key is left out, Keras's attention_mask and flax's mask True where it is attended to. "
            "A mask copied between them attends to exactly the padding (and a query whose keys are all valid "
            "attends to nothing: NaN with need_weights=True, the output bias alone without). Fix: "
            "key_padding_mask = arange(S) >= valid_len.",
        ),
    ),
)
