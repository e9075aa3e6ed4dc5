"""d2l §11.7: the position-wise feed-forward network."""

from flax import nnx


class PositionWiseFFN(nnx.Module):
    def __init__(self, ffn_num_hiddens, ffn_num_outputs, in_features, *,
                 rngs: nnx.Rngs):
        self.dense1 = nnx.Linear(in_features, ffn_num_hiddens, rngs=rngs)
        self.dense2 = nnx.Linear(ffn_num_hiddens, ffn_num_outputs, rngs=rngs)

    def __call__(self, X):
        return self.dense2(nnx.relu(self.dense1(X)))
