"""d2l §10.2: the GRU from scratch (time-major: the loop runs over steps)."""

from mxnet import init, np, npx
from mxnet.gluon import nn


class GRUScratch(nn.Block):
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
        self.W_xz, self.W_hz, self.b_z = triple('z')  # Update gate
        self.W_xr, self.W_hr, self.b_r = triple('r')  # Reset gate
        self.W_xh, self.W_hh, self.b_h = triple('h')  # Candidate hidden state

    def forward(self, inputs, H=None):
        if H is None:  # initial state with shape (batch_size, num_hiddens)
            H = np.zeros((inputs.shape[1], self.num_hiddens),
                         dtype=inputs.dtype)
        W_xz, W_hz, b_z = self.W_xz.data(), self.W_hz.data(), self.b_z.data()
        W_xr, W_hr, b_r = self.W_xr.data(), self.W_hr.data(), self.b_r.data()
        W_xh, W_hh, b_h = self.W_xh.data(), self.W_hh.data(), self.b_h.data()
        outputs = []
        for X in inputs:
            Z = npx.sigmoid(np.dot(X, W_xz) + np.dot(H, W_hz) + b_z)
            R = npx.sigmoid(np.dot(X, W_xr) + np.dot(H, W_hr) + b_r)
            H_tilde = np.tanh(np.dot(X, W_xh) + np.dot(R * H, W_hh) + b_h)
            H = Z * H + (1 - Z) * H_tilde
            outputs.append(H)
        return np.stack(outputs), H
