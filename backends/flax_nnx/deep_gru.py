"""d2l §10.3: the multilayer GRU: each layer reads the outputs of the one below."""

import jax.numpy as jnp
from flax import nnx

from .gru import GRUCell  # nnx.GRUCell with PyTorch's hidden bias


class GRU(nnx.Module):
    def __init__(self, num_inputs, num_hiddens, num_layers, dropout=0, *,
                 rngs: nnx.Rngs):
        self.num_hiddens = num_hiddens
        self.rnn = nnx.List([
            nnx.RNN(GRUCell(num_inputs if i == 0 else num_hiddens, num_hiddens,
                            rngs=rngs),
                    return_carry=True)
            for i in range(num_layers)])
        self.drop = nnx.Dropout(dropout, rngs=rngs)  # between layers, as in PyTorch

    def __call__(self, inputs, H=None):
        if H is None:  # one state per layer, in the dtype of the inputs
            H = ([jnp.zeros((inputs.shape[0], self.num_hiddens), inputs.dtype)]
                 * len(self.rnn))
        outputs, states = inputs, []
        for i, layer in enumerate(self.rnn):
            if i > 0:
                outputs = self.drop(outputs)
            state, outputs = layer(outputs, initial_carry=H[i])
            states.append(state)
        return outputs, states
