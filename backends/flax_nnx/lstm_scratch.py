"""d2l §10.1: the LSTM from scratch; jax.lax.scan runs the loop over steps."""

import jax
import jax.numpy as jnp
from flax import nnx


class LSTMScratch(nnx.Module):
    def __init__(self, num_inputs, num_hiddens, sigma=0.01, *, rngs: nnx.Rngs):
        self.num_hiddens = num_hiddens
        init_weight = lambda *shape: nnx.Param(
            jax.random.normal(rngs.params(), shape) * sigma)
        triple = lambda: (init_weight(num_inputs, num_hiddens),
                          init_weight(num_hiddens, num_hiddens),
                          nnx.Param(jnp.zeros(num_hiddens)))
        self.W_xi, self.W_hi, self.b_i = triple()  # Input gate
        self.W_xf, self.W_hf, self.b_f = triple()  # Forget gate
        self.W_xo, self.W_ho, self.b_o = triple()  # Output gate
        self.W_xc, self.W_hc, self.b_c = triple()  # Input node

    def __call__(self, inputs, H=None, C=None):
        if H is None:  # initial state with shape (batch_size, num_hiddens)
            H = C = jnp.zeros((inputs.shape[1], self.num_hiddens), inputs.dtype)

        def scan_fn(carry, X):
            H, C = carry
            I = jax.nn.sigmoid(X @ self.W_xi + H @ self.W_hi + self.b_i)  # noqa: E741
            F = jax.nn.sigmoid(X @ self.W_xf + H @ self.W_hf + self.b_f)
            O = jax.nn.sigmoid(X @ self.W_xo + H @ self.W_ho + self.b_o)  # noqa: E741
            C_tilde = jnp.tanh(X @ self.W_xc + H @ self.W_hc + self.b_c)
            C = F * C + I * C_tilde
            H = O * jnp.tanh(C)
            return (H, C), H  # carry, output

        (H, C), outputs = jax.lax.scan(scan_fn, (H, C), inputs)
        return outputs, (H, C)
