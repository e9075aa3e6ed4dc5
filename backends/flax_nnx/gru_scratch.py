"""d2l §10.2: the GRU from scratch; jax.lax.scan runs the loop over steps."""

import jax
import jax.numpy as jnp
from flax import nnx


class GRUScratch(nnx.Module):
    def __init__(self, num_inputs, num_hiddens, sigma=0.01, *, rngs: nnx.Rngs):
        self.num_hiddens = num_hiddens
        init_weight = lambda *shape: nnx.Param(
            jax.random.normal(rngs.params(), shape) * sigma)
        triple = lambda: (init_weight(num_inputs, num_hiddens),
                          init_weight(num_hiddens, num_hiddens),
                          nnx.Param(jnp.zeros(num_hiddens)))
        self.W_xz, self.W_hz, self.b_z = triple()  # Update gate
        self.W_xr, self.W_hr, self.b_r = triple()  # Reset gate
        self.W_xh, self.W_hh, self.b_h = triple()  # Candidate hidden state

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
