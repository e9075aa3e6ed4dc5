"""d2l §10.2: the GRU from scratch; jax.lax.scan runs the loop over steps."""

import jax
import jax.numpy as jnp
from flax import linen as nn


class GRUScratch(nn.Module):
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
        self.W_xz, self.W_hz, self.b_z = triple('z')  # Update gate
        self.W_xr, self.W_hr, self.b_r = triple('r')  # Reset gate
        self.W_xh, self.W_hh, self.b_h = triple('h')  # Candidate hidden state

    def __call__(self, inputs, H=None):
        if H is None:  # initial state with shape (batch_size, num_hiddens)
            H = jnp.zeros((inputs.shape[1], self.num_hiddens), inputs.dtype)

        def scan_fn(H, X):
            Z = jax.nn.sigmoid(X @ self.W_xz + H @ self.W_hz + self.b_z)
            R = jax.nn.sigmoid(X @ self.W_xr + H @ self.W_hr + self.b_r)
            H_tilde = jnp.tanh(X @ self.W_xh + (R * H) @ self.W_hh + self.b_h)
            H = Z * H + (1 - Z) * H_tilde
            return H, H  # carry, output

        H, outputs = jax.lax.scan(scan_fn, H, inputs)
        return outputs, H
