"""d2l §10.2: the GRU from scratch (time-major: the loop runs over steps)."""

import keras
from keras import ops


class GRUScratch(keras.layers.Layer):
    def __init__(self, num_inputs, num_hiddens, sigma=0.01):
        super().__init__()
        self.num_hiddens = num_hiddens
        init = keras.initializers.RandomNormal(stddev=sigma)
        init_weight = lambda name, *shape: self.add_weight(
            shape=shape, initializer=init, name=name)
        triple = lambda g: (
            init_weight(f'W_x{g}', num_inputs, num_hiddens),
            init_weight(f'W_h{g}', num_hiddens, num_hiddens),
            self.add_weight(shape=(num_hiddens,), initializer='zeros',
                            name=f'b_{g}'))
        self.W_xz, self.W_hz, self.b_z = triple('z')  # Update gate
        self.W_xr, self.W_hr, self.b_r = triple('r')  # Reset gate
        self.W_xh, self.W_hh, self.b_h = triple('h')  # Candidate hidden state

    def call(self, inputs, H=None):
        if H is None:  # initial state with shape (batch_size, num_hiddens)
            H = ops.zeros((inputs.shape[1], self.num_hiddens), inputs.dtype)
        outputs = []
        for X in inputs:
            Z = ops.sigmoid(X @ self.W_xz + H @ self.W_hz + self.b_z)
            R = ops.sigmoid(X @ self.W_xr + H @ self.W_hr + self.b_r)
            H_tilde = ops.tanh(X @ self.W_xh + (R * H) @ self.W_hh + self.b_h)
            H = Z * H + (1 - Z) * H_tilde
            outputs.append(H)
        return ops.stack(outputs), H
