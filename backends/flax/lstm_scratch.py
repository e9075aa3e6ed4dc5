"""d2l §10.1: the LSTM from scratch; jax.lax.scan runs the loop over steps."""

import jax
import jax.numpy as jnp
from flax import linen as nn


class LSTMScratch(nn.Module):
    num_inputs: int
    num_hiddens: int
    sigma: float = 0.01

    def setup(self):
        init_weight = lambda name, shape: self.param(
            name, nn.initializers.normal(self.sigma), shape)
        triple = lambda name: (
            init_weight(f'W_x{name}', (self.num_inputs, self.num_hiddens)),
            init_weight(f'W_h{name}', (self.num_hiddens, self.num_hiddens)),
            self.param(f'b_{name}', nn.initializers.zeros, (self.num_hiddens,)))
        self.W_xi, self.W_hi, self.b_i = triple('i')  # Input gate
        self.W_xf, self.W_hf, self.b_f = triple('f')  # Forget gate
        self.W_xo, self.W_ho, self.b_o = triple('o')  # Output gate
        self.W_xc, self.W_hc, self.b_c = triple('c')  # Input node

    def __call__(self, inputs, H=None, C=None):
        if H is None:  # initial state with shape (batch_size, num_hiddens)
            H = C = jnp.zeros((inputs.shape[1], self.num_hiddens), inputs.dtype)

        def scan_fn(carry, X):
            H, C = carry
            I = jax.nn.sigmoid(X @ self.W_xi + H @ self.W_hi + self.b_i)
            F = jax.nn.sigmoid(X @ self.W_xf + H @ self.W_hf + self.b_f)
            O = jax.nn.sigmoid(X @ self.W_xo + H @ self.W_ho + self.b_o)
            C_tilde = jnp.tanh(X @ self.W_xc + H @ self.W_hc + self.b_c)
            C = F * C + I * C_tilde
            H = O * jnp.tanh(C)
            return (H, C), H  # carry, output

        (H, C), outputs = jax.lax.scan(scan_fn, (H, C), inputs)
        return outputs, (H, C)
