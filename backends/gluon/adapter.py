"""MXNet Gluon adapter (``npx.set_np()``): NCHW and (out, in) like PyTorch, so layouts map as the identity.

Parameters are created by ``initialize()`` plus one float32 forward pass (deferred shapes); float64 is
reached by ``cast('float64')`` *after* that, because the random initialisers cannot create float64
parameters under ``npx.set_np()``. Names come from walking ``_children`` (rules 1-3 of harness.adapter),
never from ``collect_params()`` keys, which carry global counters (``dense3_weight``).
The mode is ``autograd.record(train_mode=...)``, for blocks whose behaviour depends on it (the spec has a
training mode, or the model holds a Dropout or BatchNorm block); the others are recorded the default way
(training mode), because MXNet's prediction-mode backward is wrong for oneDNN max pooling (its inference
forward writes no workspace, so the gradient goes to other cells, differently from run to run; right with
MXNET_MKLDNN_ENABLED=0: docs/conventions/conv.md) and for BatchNorm's input gradient
(a declared divergence). Built-in layers name their parameters ``gamma`` and
``beta`` (``RENAMES``); a parameter without gradient (``grad_req='null'``: BatchNorm's running statistics)
is not trainable. State the book keeps as plain arrays (``self.moving_mean = np.zeros(shape)``) is found
by the name the spec gives it.
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
RENAMES = {nn.LayerNorm: {"gamma": "weight", "beta": "bias"}, nn.BatchNorm: {"gamma": "weight", "beta": "bias"}}
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


MODE_BLOCKS = (nn.Dropout, nn.BatchNorm)  # built-in blocks that behave differently in training


class Adapter(adapter.Adapter):
    name = "gluon"
    model_class = nn.Block

    @staticmethod
    def train_mode(model, request) -> bool:
        """``autograd.record(train_mode=...)``: the request's mode where the block has one, else the default."""
        if request.spec.has_training_mode or any(isinstance(b, MODE_BLOCKS) for _, _, b in walk(model)):
            return request.mode == "train"
        return True

    def version(self):
        return mxnet.__version__

    def build(self, request, inputs):
        mxnet.random.seed(request.seed)  # the realisation's own initial values (harness.init)
        model = self.instantiate(request)
        for p in model.collect_params().values():  # initialize(), except what the realisation initialised
            if p._data is None and not p._deferred_init:  # (a deferred init() would be overwritten)
                p.initialize(default_init=mxnet.init.Uniform())
        model(*(mnp.array(v, dtype="float32" if v.dtype.kind == "f" else v.dtype) for v in inputs.values()))
        if request.dtype != "float32":
            model.cast(request.dtype)
        return model

    def shapes_before_call(self, request):
        model = self.instantiate(request)  # deferred initialisation: unknown dimensions are 0 (or -1)
        return {native + name: tuple(p.shape) if p.shape and min(p.shape) > 0 else None
                for _, native, block in walk(model) for name, p in block._reg_params.items()}

    def slots(self, model, spec):
        slots, blocks = [], {}
        for prefix, native, block in walk(model):
            blocks[prefix] = (native, block)
            rename = next((r for cls, r in RENAMES.items() if isinstance(block, cls)), {})
            for name, p in block._reg_params.items():
                m = RNN_PARAM.fullmatch(name) if isinstance(block, rnn.rnn_layer._RNNLayer) else None
                if m:  # rule 5 of harness.adapter: PyTorch's layout under other names
                    direction, layer, side, kind = m.groups()
                    canonical = recurrent.names(prefix, int(layer), direction == "r")[f"{kind}_{side[0]}h"]
                    slots.append(adapter.Slot(canonical, native + name, tuple(p.shape), p,
                                              recurrent=RNN_KINDS[block._mode]))
                    continue
                slots.append(adapter.Slot(prefix + rename.get(name, name), native + name, tuple(p.shape), p,
                                          constant=isinstance(p, gluon.Constant) or p.grad_req == "null"))
        found = {s.canonical for s in slots}
        for name in spec.state:  # plain arrays held in an attribute, as the book's BatchNorm does
            owner, _, attr = name.rpartition(".")
            native, block = blocks.get(f"{owner}." if owner else "", (None, None))
            value = getattr(block, attr, None) if block is not None else None
            if name not in found and isinstance(value, mnp.ndarray):
                slots.append(adapter.Slot(name, native + attr, tuple(value.shape), (block, attr), constant=True))
        return slots

    def load(self, model, slots, values):
        for s in slots:
            value = mnp.array(values[s.canonical], dtype=values[s.canonical].dtype)
            if isinstance(s.handle, tuple):
                setattr(*s.handle, value)
            else:
                s.handle.set_data(value)

    def read(self, model, slots):
        return {s.canonical: (getattr(*s.handle) if isinstance(s.handle, tuple) else s.handle.data()).asnumpy()
                for s in slots}

    def forward_backward(self, model, request, slots, inputs, cotangents):
        spec = request.spec
        xs = {k: mnp.array(v, dtype=v.dtype) for k, v in inputs.items()}
        diff = [k for k in xs if spec.inputs[k].differentiable]
        for k in diff:
            xs[k].attach_grad()
        tapped = {}
        points = adapter.tap_points([(p, b, folds_activation(b)) for p, _, b in walk(model)],
                                    spec.taps if request.taps else ())
        hooks = []
        for name, (block, where) in points.items():
            def hook(blk, args, out, name=name, pre=where == "pre"):  # the first call of a reused block is kept
                tapped.setdefault(name, adapter.first(args[0] if pre else out).asnumpy())

            # a folded activation is the child block `act`: its input is the pre-activation value
            hooks.append((block.act if where == "pre" else block).register_forward_hook(hook))
        if request.mode == "train":
            mxnet.random.seed(request.seed)  # dropout masks
        try:
            with autograd.record(train_mode=self.train_mode(model, request)):
                outs = model(*xs.values())
        finally:
            for h in hooks:
                h.detach()
        outs = adapter.leaves(outs)
        autograd.backward(outs, [mnp.array(adapter.fit_cotangent(c, o.shape), dtype=c.dtype)
                                 for o, c in zip(outs, cotangents)])
        grads = {s.canonical: s.handle.grad().asnumpy() for s in slots if not s.constant}
        return ([onp.asarray(o.asnumpy()) for o in outs], {k: xs[k].grad.asnumpy() for k in diff}, grads, tapped)

    # --- the training step (harness.adapter.Adapter.train) ---------------------------------------------
    def optimizer(self, training):
        opt = training.opt
        if not training.trainable:  # without parameters, nothing to update
            return None
        if opt.name == "adam":
            return gluon.Trainer(training.model.collect_params(), "adam", {
                "learning_rate": opt.lr, "beta1": opt.betas[0], "beta2": opt.betas[1], "epsilon": opt.eps,
                "wd": 0.0})
        return gluon.Trainer(training.model.collect_params(), "sgd", {
            "learning_rate": opt.lr, "momentum": opt.momentum, "wd": opt.weight_decay})

    def train_step(self, training):
        request, trainer = training.request, training.optimizer
        xs = [mnp.array(v, dtype=v.dtype) for v in training.inputs.values()]
        for x, k in zip(xs, training.inputs):
            if request.spec.inputs[k].differentiable:
                x.attach_grad()  # so that backward() has a graph even when no parameter is in it
        ts = [(mnp.array(t, dtype=t.dtype), w) for t, w in training.targets]
        # the loss is already a mean: step(1). step(batch_size) is for a per-example loss (the trap)
        batch_size = xs[0].shape[0] if request.trap == "gluon_step_batch_size" else 1
        mxnet.random.seed(request.seed)
        with autograd.record(train_mode=self.train_mode(training.model, request)):
            outs = adapter.leaves(training.model(*xs))
            loss = sum(w * ((o - t) ** 2).mean() for o, (t, w) in zip(outs, ts))
        if trainer:
            loss.backward()
            trainer.step(batch_size)
        return float(loss), {s.canonical: s.handle.grad().asnumpy() for s in training.trainable}

    def optimizer_state(self, training):
        """In PyTorch's names and sign: MXNet's SGD keeps mom = momentum mom - lr g, -lr times torch's
        buffer, with lr a float32 operator parameter."""
        trainer, opt = training.optimizer, training.opt
        if trainer is None:
            return {}
        out, states = {}, trainer._updaters[0].states
        for s in training.trainable:
            state = states.get(trainer._params.index(s.handle))
            if opt.name == "momentum" and state is not None:
                out[("momentum_buffer", s.canonical)] = -state.asnumpy() / float(onp.float32(opt.lr))
            elif opt.name == "adam" and state is not None:
                out[("exp_avg", s.canonical)], out[("exp_avg_sq", s.canonical)] = (a.asnumpy() for a in state)
        return out
