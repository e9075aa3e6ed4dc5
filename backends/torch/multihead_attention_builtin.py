"""d2l §11.5 with PyTorch's own layer: nn.MultiheadAttention."""

import torch
from torch import nn


class BuiltinMultiHeadAttention(nn.Module):
    def __init__(self, num_hiddens, num_heads, bias=True):
        super().__init__()
        self.attention = nn.MultiheadAttention(num_hiddens, num_heads,
                                               bias=bias, batch_first=True)

    def forward(self, queries, keys, values, valid_lens):
        # key_padding_mask: True marks a key to *leave out*
        mask = torch.arange(keys.shape[1])[None, :] >= valid_lens[:, None]
        output, _ = self.attention(queries, keys, values, need_weights=False,
                                   key_padding_mask=mask)
        return output


class BuiltinMultiHeadAttentionMaskInverted(BuiltinMultiHeadAttention):
    """The mask in Keras's and flax's meaning, True = attend."""

    def forward(self, queries, keys, values, valid_lens):
        mask = torch.arange(keys.shape[1])[None, :] < valid_lens[:, None]
        output, _ = self.attention(queries, keys, values, need_weights=False,
                                   key_padding_mask=mask)
        return output
