"""d2l §10.1: the LSTM from scratch (time-major: the loop runs over steps)."""

import keras
from keras import ops


class LSTMScratch(keras.layers.Layer):
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
        self.W_xi, self.W_hi, self.b_i = triple('i')  # Input gate
        self.W_xf, self.W_hf, self.b_f = triple('f')  # Forget gate
        self.W_xo, self.W_ho, self.b_o = triple('o')  # Output gate
        self.W_xc, self.W_hc, self.b_c = triple('c')  # Input node

    def call(self, inputs, H=None, C=None):
        if H is None:  # initial state with shape (batch_size, num_hiddens)
            H = C = ops.zeros((inputs.shape[1], self.num_hiddens), inputs.dtype)
        outputs = []
        for X in inputs:
            I = ops.sigmoid(X @ self.W_xi + H @ self.W_hi + self.b_i)
            F = ops.sigmoid(X @ self.W_xf + H @ self.W_hf + self.b_f)
            O = ops.sigmoid(X @ self.W_xo + H @ self.W_ho + self.b_o)
            C_tilde = ops.tanh(X @ self.W_xc + H @ self.W_hc + self.b_c)
            C = F * C + I * C_tilde
            H = O * ops.tanh(C)
            outputs.append(H)
        return ops.stack(outputs), (H, C)
