"""d2l §11.7: the Transformer encoder block, ``TransformerEncoderBlock``, in evaluation mode.

Y = AddNorm(X, MultiHeadAttention(X, X, X, valid_lens)); out = AddNorm(Y, PositionWiseFFN(Y)), on X
(2, 10, 24) with 8 heads of 3 features, a 48-unit FFN and valid lengths in [1, 10]: the book's example
sizes with 10 steps instead of 100, which makes the framework-free gradient check (its ReLU-kink tests
along random directions) 30x cheaper (0.15 s instead of 4.5 s). The book's default ``use_bias=False``:
W_q, W_k, W_v, W_o have no bias (``multihead_attention`` covers biases). Dropout p = 0.5 in evaluation mode: the
identity in all three places (attention weights, both AddNorms), which the exact match checks.
Epsilon 1e-5 in both LayerNorms (see ``add_norm``). The taps follow the four sub-blocks:
``attention``, ``addnorm1``, ``ffn``, ``addnorm2``.

The book's four versions differ as ``add_norm`` says: JAX's epsilon 1e-6 moves this block's output by
3.0e-6 (relative), TensorFlow's 1e-3 by 3.3e-4, besides its axis argument; the TensorFlow constructor
also takes key, query and value sizes and ``norm_shape``.
"""

from harness.spec import Input, Param, Spec, Variant
from specs import _attention
from specs._ops import no_tap

N, T, E, FFN, HEADS = 2, 10, 24, 48, 8
LN = Param((E,), init="normal")
PARAMS = {  # in forward order
    **{f"attention.W_{x}.weight": (E, E) for x in "qkvo"},
    "addnorm1.ln.weight": LN, "addnorm1.ln.bias": LN,
    "ffn.dense1.weight": (FFN, E), "ffn.dense1.bias": (FFN,), "ffn.dense2.weight": (E, FFN), "ffn.dense2.bias": (E,),
    "addnorm2.ln.weight": LN, "addnorm2.ln.bias": LN,
}


def transformer_encoder_block(X, valid_lens, p, c, tap=no_tap):
    attended = tap("attention", _attention.multihead_attention(X, X, X, valid_lens, p, "attention.", HEADS))
    Y = tap("addnorm1", _attention.add_norm(X, attended, p, "addnorm1."))
    Z = tap("ffn", _attention.ffn(Y, p, "ffn."))
    return tap("addnorm2", _attention.add_norm(Y, Z, p, "addnorm2."))


SPEC = Spec(
    name="transformer_encoder_block",
    title="TransformerEncoderBlock(24, 48, 8 heads), evaluation mode, valid lengths",
    section="11.7 The Transformer Architecture",
    model="TransformerEncoderBlock",
    args={"num_hiddens": E, "ffn_num_hiddens": FFN, "num_heads": HEADS, "dropout": 0.5},
    inputs={"X": Input((N, T, E)), "valid_lens": Input((N,), dist=f"randint:1:{T + 1}")},
    params=PARAMS,
    taps={"attention": None, "addnorm1": None, "ffn": None, "addnorm2": None},
    reference=transformer_encoder_block,
    variants=(
        Variant(
            name="transformer_unscaled",
            model="TransformerEncoderBlockUnscaled",
            backends=("keras",),
            expected_tap="attention",
            why="Scaled dot-product attention divides the scores by sqrt(d), the head size. Without it the "
            "softmax is sharper by that factor (here sqrt(3)); nothing fails to run, and the LayerNorms after it "
            "keep every activation in range. Fix: scores = Q K^T / sqrt(d).",
        ),
    ),
)
