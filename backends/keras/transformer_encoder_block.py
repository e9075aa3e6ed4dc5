"""d2l §11.7: the Transformer encoder block."""

import keras

from .add_norm import AddNorm
from .dot_product_attention import DotProductAttentionUnscaled
from .multihead_attention import MultiHeadAttention
from .position_wise_ffn import PositionWiseFFN


class TransformerEncoderBlock(keras.layers.Layer):
    def __init__(self, num_hiddens, ffn_num_hiddens, num_heads, dropout,
                 use_bias=False):
        super().__init__()
        self.attention = MultiHeadAttention(num_hiddens, num_heads, dropout,
                                            use_bias)
        self.addnorm1 = AddNorm(num_hiddens, dropout)
        self.ffn = PositionWiseFFN(ffn_num_hiddens, num_hiddens)
        self.addnorm2 = AddNorm(num_hiddens, dropout)

    def call(self, X, valid_lens):
        Y = self.addnorm1(X, self.attention(X, X, X, valid_lens))
        return self.addnorm2(Y, self.ffn(Y))


class TransformerEncoderBlockUnscaled(TransformerEncoderBlock):
    """Its attention forgets the 1 / sqrt(d) scale."""

    def __init__(self, num_hiddens, ffn_num_hiddens, num_heads, dropout,
                 use_bias=False):
        super().__init__(num_hiddens, ffn_num_hiddens, num_heads, dropout,
                         use_bias)
        self.attention.attention = DotProductAttentionUnscaled(dropout)
