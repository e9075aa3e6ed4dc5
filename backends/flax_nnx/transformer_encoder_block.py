"""d2l §11.7: the Transformer encoder block."""

from flax import nnx

from .add_norm import AddNorm
from .multihead_attention import MultiHeadAttention
from .position_wise_ffn import PositionWiseFFN


class TransformerEncoderBlock(nnx.Module):
    def __init__(self, num_hiddens, ffn_num_hiddens, num_heads, dropout, use_bias=False,
                 *, rngs: nnx.Rngs):
        self.attention = MultiHeadAttention(num_hiddens, num_heads, dropout, use_bias,
                                            rngs=rngs)
        self.addnorm1 = AddNorm(num_hiddens, dropout, rngs=rngs)
        self.ffn = PositionWiseFFN(ffn_num_hiddens, num_hiddens, num_hiddens, rngs=rngs)
        self.addnorm2 = AddNorm(num_hiddens, dropout, rngs=rngs)

    def __call__(self, X, valid_lens):
        Y = self.addnorm1(X, self.attention(X, X, X, valid_lens))
        return self.addnorm2(Y, self.ffn(Y))
