"""d2l §11.7: the Transformer encoder block."""

from flax import linen as nn

from .add_norm import AddNorm
from .multihead_attention import MultiHeadAttention
from .position_wise_ffn import PositionWiseFFN


class TransformerEncoderBlock(nn.Module):
    num_hiddens: int
    ffn_num_hiddens: int
    num_heads: int
    dropout: float
    use_bias: bool = False

    def setup(self):
        self.attention = MultiHeadAttention(self.num_hiddens, self.num_heads,
                                            self.dropout, self.use_bias)
        self.addnorm1 = AddNorm(self.num_hiddens, self.dropout)
        self.ffn = PositionWiseFFN(self.ffn_num_hiddens, self.num_hiddens)
        self.addnorm2 = AddNorm(self.num_hiddens, self.dropout)

    def __call__(self, X, valid_lens, training=False):
        output = self.attention(X, X, X, valid_lens, training=training)
        Y = self.addnorm1(X, output, training=training)
        return self.addnorm2(Y, self.ffn(Y), training=training)
