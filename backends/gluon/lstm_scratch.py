"""d2l §10.1: the LSTM from scratch (time-major: the loop runs over steps)."""

from mxnet import init, np, npx
from mxnet.gluon import nn


class LSTMScratch(nn.Block):
    def __init__(self, num_inputs, num_hiddens, sigma=0.01):
        super().__init__()
        self.num_hiddens = num_hiddens
        # Parameters of the block (not the book's plain arrays), so that
        # they can be loaded and have gradients like every other block's
        init_weight = lambda name, *shape: self.params.get(
            name, shape=shape, init=init.Normal(sigma))
        triple = lambda g: (init_weight(f'W_x{g}', num_inputs, num_hiddens),
                            init_weight(f'W_h{g}', num_hiddens, num_hiddens),
                            self.params.get(f'b_{g}', shape=(num_hiddens,),
                                            init=init.Zero()))
        self.W_xi, self.W_hi, self.b_i = triple('i')  # Input gate
        self.W_xf, self.W_hf, self.b_f = triple('f')  # Forget gate
        self.W_xo, self.W_ho, self.b_o = triple('o')  # Output gate
        self.W_xc, self.W_hc, self.b_c = triple('c')  # Input node

    def forward(self, inputs, H=None, C=None):
        if H is None:  # initial state with shape (batch_size, num_hiddens)
            H = C = np.zeros((inputs.shape[1], self.num_hiddens),
                             dtype=inputs.dtype)
        W_xi, W_hi, b_i = self.W_xi.data(), self.W_hi.data(), self.b_i.data()
        W_xf, W_hf, b_f = self.W_xf.data(), self.W_hf.data(), self.b_f.data()
        W_xo, W_ho, b_o = self.W_xo.data(), self.W_ho.data(), self.b_o.data()
        W_xc, W_hc, b_c = self.W_xc.data(), self.W_hc.data(), self.b_c.data()
        outputs = []
        for X in inputs:
            I = npx.sigmoid(np.dot(X, W_xi) + np.dot(H, W_hi) + b_i)
            F = npx.sigmoid(np.dot(X, W_xf) + np.dot(H, W_hf) + b_f)
            O = npx.sigmoid(np.dot(X, W_xo) + np.dot(H, W_ho) + b_o)
            C_tilde = np.tanh(np.dot(X, W_xc) + np.dot(H, W_hc) + b_c)
            C = F * C + I * C_tilde
            H = O * np.tanh(C)
            outputs.append(H)
        return np.stack(outputs), (H, C)
