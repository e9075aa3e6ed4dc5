"""MXNet Gluon adapter (``npx.set_np()``): NCHW and (out, in) like PyTorch, so layouts map as the identity.

Parameters are created by ``initialize()`` plus one float32 forward pass (deferred shapes); float64 is
reached by ``cast('float64')`` *after* that, because the random initialisers cannot create float64
parameters under ``npx.set_np()``. Names come from walking ``_children`` (rules 1-3 of harness.adapter),
never from ``collect_params()`` keys, which carry global counters (``dense3_weight``).
"""

import re

import mxnet
import numpy as onp
from mxnet import autograd, gluon, npx
from mxnet import np as mnp
from mxnet.gluon import nn, rnn

from harness import adapter, recurrent

npx.set_np()

# Layers whose parameter names differ from PyTorch's (block class -> {Gluon name: PyTorch name})
RENAMES = {nn.LayerNorm: {"gamma": "weight", "beta": "bias"}}
RNN_KINDS = {"rnn_tanh": "rnn", "rnn_relu": "rnn", "gru": "gru", "lstm": "lstm"}
RNN_PARAM = re.compile(r"([lr])(\d+)_(i2h|h2h)_(weight|bias)")  # l0_i2h_weight; r0_...: the reverse direction


def folds_activation(block) -> bool:
    return getattr(block, "act", None) is not None


def walk(block, prefix="", native=""):
    """(canonical prefix, native prefix, block) for ``block`` and everything under it."""
    yield prefix, native, block
    children = list(block._children.items())
    numbered = children and all(name.isdigit() for name, _ in children)
    numbers = adapter.sequence_numbers([folds_activation(c) for _, c in children]) if numbered else None
    for i, (name, child) in enumerate(children):
        canonical = str(numbers[i]) if numbered else name
        yield from walk(child, adapter.join(prefix, canonical), adapter.join(native, name))


class Adapter(adapter.Adapter):
    name = "gluon"

    def version(self):
        return mxnet.__version__

    def build(self, factory, spec, inputs, dtype):
        model = _Function(factory) if adapter.is_function(factory, spec) else factory(**spec.args)
        model.initialize()
        model(*(mnp.array(v, dtype="float32" if v.dtype.kind == "f" else v.dtype) for v in inputs.values()))
        if dtype != "float32":
            model.cast(dtype)
        return model

    def slots(self, model, spec):
        slots = []
        for prefix, native, block in walk(model):
            rename = next((r for cls, r in RENAMES.items() if isinstance(block, cls)), {})
            for name, p in block._reg_params.items():
                m = RNN_PARAM.fullmatch(name) if isinstance(block, rnn.rnn_layer._RNNLayer) else None
                if m:  # rule 5 of harness.adapter: PyTorch's layout under other names
                    direction, layer, side, kind = m.groups()
                    part = f"{kind}_{side[0]}h"
                    canonical = recurrent.names(prefix, int(layer), direction == "r")[part]
                    to_native, from_native = recurrent.canonical_layout(RNN_KINDS[block._mode], part, self.fault)
                    slots.append(adapter.Slot(canonical, native + name, tuple(p.shape), p, to_native, from_native))
                    continue
                slots.append(adapter.Slot(prefix + rename.get(name, name), native + name, tuple(p.shape), p,
                                          constant=isinstance(p, gluon.Constant)))
        return slots

    def load(self, model, slots, values):
        for s in slots:
            s.handle.set_data(mnp.array(values[s.canonical], dtype=values[s.canonical].dtype))

    def forward_backward(self, model, spec, slots, inputs, cotangents, want_taps):
        xs = {k: mnp.array(v, dtype=v.dtype) for k, v in inputs.items()}
        diff = [k for k in xs if spec.inputs[k].differentiable]
        for k in diff:
            xs[k].attach_grad()
        tapped = {}
        points = adapter.tap_points([(p, b, folds_activation(b)) for p, _, b in walk(model)],
                                    spec.taps if want_taps else ())
        hooks = []
        for name, (block, where) in points.items():
            def hook(blk, args, out, name=name, pre=where == "pre"):  # the first call of a reused block is kept
                value = args[0] if pre else out
                tapped.setdefault(name, (value[0] if isinstance(value, (tuple, list)) else value).asnumpy())

            # a folded activation is the child block `act`: its input is the pre-activation value
            hooks.append((block.act if where == "pre" else block).register_forward_hook(hook))
        try:
            with autograd.record():
                outs = model(*xs.values())
        finally:
            for h in hooks:
                h.detach()
        outs = adapter.leaves(outs)
        autograd.backward(outs, [mnp.array(adapter.fit_cotangent(c, o.shape), dtype=c.dtype)
                                 for o, c in zip(outs, cotangents)])
        grads = {s.canonical: s.handle.grad().asnumpy() for s in slots if not s.constant}
        return ([onp.asarray(o.asnumpy()) for o in outs], {k: xs[k].grad.asnumpy() for k in diff}, grads, tapped)


class _Function(nn.Block):
    """A block that is a plain function of its inputs (d2l's ``masked_softmax``): no parameters."""

    def __init__(self, fn):
        super().__init__()
        self.fn = fn

    def forward(self, *xs):
        return self.fn(*xs)
