"""A tanh RNN called without an initial carry: h_0 = 0, h_t = tanh(W_ih x_t + b_ih + W_hh h_{t-1} + b_hh)."""

import numpy as np

from harness.spec import Input, Param, Spec

T, N, C, H = 4, 2, 3, 5


def rnn(x, p, c, tap=lambda name, value: value):
    h, out = np.zeros((x.shape[1], H)), []
    for x_t in x:
        h = np.tanh(x_t @ p["rnn.weight_ih_l0"].T + p["rnn.bias_ih_l0"] + h @ p["rnn.weight_hh_l0"].T
                    + p["rnn.bias_hh_l0"])
        out.append(h)
    return np.stack(out)


SPEC = Spec(
    name="user_rnn_no_carry",
    model="RNNNoCarry",
    inputs={"x": Input((T, N, C), layout="TNC")},
    output_layout="TNC",
    params={"rnn.weight_ih_l0": (H, C), "rnn.weight_hh_l0": (H, H), "rnn.bias_ih_l0": Param((H,), fan_in=H),
            "rnn.bias_hh_l0": Param((H,), fan_in=H)},
    reference=rnn,
)
