"""The deliberate weight-map mistakes of traps (``Variant.fault``), made in one place.

The adapters map every slot right; ``apply_fault`` then rewrites the transforms of the slots the fault is
about (``FAULTS``), so that tests and the trap catalogue (``harness.traps``) can prove the harness
catches what a plausible hand-written weight map gets wrong. Nothing else touches the mapping.
"""

from __future__ import annotations

import numpy as np

from harness import layout, recurrent

# Mistakes an adapter can be told to make on purpose (Variant.fault), so that tests and the trap catalogue
# can prove the harness catches them. Each is what a plausible hand-written weight map gets wrong.
FAULTS = {
    "conv_kernel_untransposed": "conv weight (O, I, kH, kW) reshaped, not transposed, to (kH, kW, I, O)",
    "flatten_rows_unpermuted": "a Dense after an NHWC Flatten loaded with plain W.T (rows in (C, H, W) order)",
    "gru_gates_zrn": "GRU gate blocks read in Keras's (z, r, n) order: PyTorch's reset and update gates swapped",
    "gru_gate_grads_unordered": "GRU weights loaded right, their gradients mapped back without the gate reorder",
    "rnn_bias_hh_dropped": "a recurrent layer's bias_hh never loaded: a two-bias framework keeps zeros there, a "
                           "one-bias framework gets bias_ih instead of bias_ih + bias_hh",
    "rnn_bias_hh_grad_dropped": "a recurrent layer's biases loaded right, but no gradient handed to bias_hh (a "
                                "one-bias framework gives its bias's gradient to bias_ih only)",
}


def apply_fault(fault: str | None, slots: list) -> None:
    """Make ``fault`` on purpose in ``slots`` that map right: rewrite the transforms of the slots it is
    about (a fault a framework's layouts give no occasion for, such as an untransposed conv kernel in
    PyTorch, changes nothing there). Every rewrite composes with the right transform, so each adapter's
    own layout (gate orders, fused biases, per-gate kernels) is kept and only the mistake is added."""
    if fault is None:
        return
    if fault not in FAULTS:
        raise ValueError(f"unknown fault {fault!r}. Expected one of: {', '.join(FAULTS)}")
    for s in slots:
        if fault == "conv_kernel_untransposed" and s.to_native is layout.conv_kernel:
            # right shapes, scrambled values; mapped back the same way
            s.to_native = lambda w: w.reshape(w.shape[2], w.shape[3], w.shape[1], w.shape[0])
            s.from_native = lambda k: k.reshape(k.shape[3], k.shape[2], k.shape[0], k.shape[1])
        elif fault == "flatten_rows_unpermuted" and getattr(s.to_native, "func", None) is layout.flattened_dense_kernel:
            s.to_native, s.from_native = layout.dense_kernel, layout.dense_weight
        elif fault in ("gru_gates_zrn", "gru_gate_grads_unordered") and s.recurrent == "gru":
            # PyTorch's (r, z, n) blocks taken as if they were (z, r, n): r and z swapped, an involution
            if fault == "gru_gates_zrn":
                _on_load(s, lambda i, a: _swap_rz(a))
            _on_gradients(s, lambda i, g: _swap_rz(g))
        elif fault == "rnn_bias_hh_dropped" and s.recurrent:
            hh = _bias_hh(s)
            _on_load(s, lambda i, a, hh=hh: np.zeros_like(a) if i in hh else a)
        elif fault == "rnn_bias_hh_grad_dropped" and s.recurrent:
            hh = _bias_hh(s)
            _on_gradients(s, lambda i, g, hh=hh: np.zeros_like(g) if i in hh else g)


def _swap_rz(a):
    return recurrent.reorder(a, [1, 0, 2])


def _bias_hh(slot) -> set:
    """Positions of the slot's canonical sources that are a recurrent layer's ``bias_hh``."""
    return {i for i, c in enumerate(slot.sources or (slot.canonical,)) if recurrent.part_of(c) == "bias_hh"}


def _on_load(slot, f) -> None:
    """Load ``f(i, value)`` of each canonical source ``i`` instead of the value itself."""
    to = slot.to_native
    slot.to_native = lambda *values: to(*(f(i, v) for i, v in enumerate(values)))


def _on_gradients(slot, f) -> None:
    """Hand ``f(i, gradient)`` back to each canonical source ``i`` instead of the gradient itself."""
    back = slot.from_native
    if slot.sources:
        slot.from_native = lambda g: tuple(f(i, x) for i, x in enumerate(back(g)))
    else:
        slot.from_native = lambda g: f(0, back(g))
