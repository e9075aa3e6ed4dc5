"""d2l §10.3: the multilayer GRU: each layer reads the outputs of the one below."""

import jax.numpy as jnp
from flax import linen as nn


class GRU(nn.Module):
    num_inputs: int  # flax infers it from the inputs
    num_hiddens: int
    num_layers: int
    dropout: float = 0

    def setup(self):
        self.rnn = [nn.RNN(nn.GRUCell(self.num_hiddens), return_carry=True)
                    for _ in range(self.num_layers)]
        self.drop = nn.Dropout(self.dropout)  # between layers, as in PyTorch

    def __call__(self, inputs, H=None, training=False):
        if H is None:  # one state per layer, in the dtype of the inputs
            H = [jnp.zeros((inputs.shape[0], self.num_hiddens), inputs.dtype)
                 ] * self.num_layers
        outputs, states = inputs, []
        for i, layer in enumerate(self.rnn):
            if i > 0:
                outputs = self.drop(outputs, deterministic=not training)
            state, outputs = layer(outputs, initial_carry=H[i])
            states.append(state)
        return outputs, states
