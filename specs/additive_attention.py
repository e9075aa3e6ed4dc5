"""d2l §11.3: additive attention, ``AdditiveAttention``: scores w_v^T tanh(W_q q + W_k k).

Queries (2, 1, 20) and keys (2, 10, 2) are projected to 8 features (``W_q``, ``W_k``, no bias), added
for every query-key pair, passed through tanh and reduced by ``w_v`` (8 -> 1, no bias) to the scores;
``masked_softmax`` over valid lengths in [1, 10] weights the values (2, 10, 4). Evaluation mode
(dropout 0). Gluon's Dense needs ``flatten=False`` to act on the last axis only.

The book's four versions compute this function; its TensorFlow constructor also takes ``key_size`` and
``query_size``, which Keras infers (not taken here).
"""

import numpy as np

from harness.spec import Input, Spec
from specs import _attention
from specs._ops import linear, no_tap


def additive_attention(queries, keys, values, valid_lens, p, c, tap=no_tap):
    q, k = tap("W_q", linear(queries, p["W_q.weight"])), tap("W_k", linear(keys, p["W_k.weight"]))
    features = np.tanh(q[:, :, None, :] + k[:, None, :, :])
    scores = tap("w_v", linear(features, p["w_v.weight"]))[..., 0]
    return _attention.masked_softmax(scores, valid_lens) @ values


SPEC = Spec(
    name="additive_attention",
    title="AdditiveAttention: w_v^T tanh(W_q q + W_k k), 8 hidden units, valid lengths",
    section="11.3 Attention Scoring Functions",
    model="AdditiveAttention",
    args={"num_hiddens": 8, "dropout": 0.0},
    inputs={"queries": Input((2, 1, 20)), "keys": Input((2, 10, 2)), "values": Input((2, 10, 4)),
            "valid_lens": Input((2,), dist="randint:1:11")},
    params={"W_k.weight": (8, 2), "W_q.weight": (8, 20), "w_v.weight": (1, 8)},
    taps={"W_q": None, "W_k": None, "w_v": None},
    reference=additive_attention,
)
