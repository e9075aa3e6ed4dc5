"""PyTorch adapter. Canonical names and layouts *are* PyTorch's, so every slot is the identity map.

Lazy layers (``nn.LazyLinear``, as the book writes them) get their shapes from one dry forward pass.
Constants such as FixedHiddenMLP's ``rand_weight`` are plain tensor attributes, replaced in place; so are
state buffers, registered (``nn.BatchNorm1d``'s ``running_mean``) or plain (the book's from-scratch
``BatchNorm.moving_mean``). The mode is ``model.train()`` / ``model.eval()``.
"""

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from harness import adapter

RNN_KINDS = {"RNN_TANH": "rnn", "RNN_RELU": "rnn", "GRU": "gru", "LSTM": "lstm"}


class Adapter(adapter.Adapter):
    name = "torch"
    model_class = nn.Module

    def version(self):
        return torch.__version__

    def build(self, request, inputs):
        torch.set_default_dtype(getattr(torch, request.dtype))
        torch.manual_seed(request.seed)  # the realisation's own initial values (harness.init)
        model = self.instantiate(request)
        with torch.no_grad():
            model(*(torch.from_numpy(v) for v in inputs.values()))  # materialises lazy layers
        return model.train(request.mode == "train")

    def slots(self, model, spec):
        slots, mapped = [], set()
        for prefix, module in model.named_modules():
            prefix = f"{prefix}." if prefix else ""
            if isinstance(module, nn.RNNBase):
                slots += rnn_slots(module, prefix)
            elif isinstance(module, nn.MultiheadAttention):
                slots += attention_slots(module, prefix)
            else:
                continue
            mapped.update(id(p) for p in module.parameters())
        slots += [adapter.Slot(n, n, tuple(p.shape), p) for n, p in model.named_parameters() if id(p) not in mapped]
        # num_batches_tracked only counts steps for momentum=None (a cumulative average), which no spec
        # uses and no other framework has: it is not a canonical buffer.
        buffers = [n for n, _ in model.named_buffers() if not n.endswith("num_batches_tracked")]
        plain = [n for n in (*spec.constants, *spec.state) if n not in buffers]  # plain tensor attributes
        for name in (*buffers, *plain):
            owner, _, attr = name.rpartition(".")
            module = model.get_submodule(owner)
            value = getattr(module, attr, None)
            if not isinstance(value, torch.Tensor) or isinstance(value, torch.nn.Parameter):
                raise adapter.BindingError(f"{spec.name}[torch]: {name}: module {owner or 'the model'!r} "
                                           f"has no tensor attribute {attr!r}")
            slots.append(adapter.Slot(name, name, tuple(value.shape), (module, attr), constant=True))
        return slots

    def shapes_before_call(self, request):
        model = self.instantiate(request)  # a LazyLinear's weight: UninitializedParameter until called
        return {n: None if isinstance(p, nn.parameter.UninitializedParameter) else tuple(p.shape)
                for n, p in model.named_parameters()}

    def read(self, model, slots):
        return {s.canonical: (getattr(*s.handle) if s.constant else s.handle).detach().numpy() for s in slots}

    def load(self, model, slots, values):
        with torch.no_grad():
            for s in slots:
                if s.constant:
                    setattr(*s.handle, torch.from_numpy(values[s.canonical]))
                else:
                    s.handle.copy_(torch.from_numpy(values[s.canonical]))

    def forward_backward(self, model, request, slots, inputs, cotangents):
        spec = request.spec
        xs = {k: torch.from_numpy(v).requires_grad_(spec.inputs[k].differentiable) for k, v in inputs.items()}
        tapped, hooks = {}, []
        modules = dict(model.named_modules())
        for name in spec.taps if request.taps else ():
            if name in modules:  # a forward hook sees the module's output; the first call is kept

                def hook(module, args, output, name=name):  # returns None: a value would replace the output
                    tapped.setdefault(name, adapter.first(output).detach().numpy().copy())

                hooks.append(modules[name].register_forward_hook(hook))
        torch.manual_seed(request.seed)  # dropout masks, training mode only
        try:
            outs = model(*xs.values())
        finally:
            for h in hooks:
                h.remove()
        outs = adapter.leaves(outs)
        diff = [k for k in xs if spec.inputs[k].differentiable]
        params = [s for s in slots if not s.constant]
        targets = [xs[k] for k in diff] + [s.handle for s in params]
        live = [(o, torch.from_numpy(adapter.fit_cotangent(c, o.shape))) for o, c in zip(outs, cotangents)
                if o.requires_grad]
        grads = [None] * len(targets)
        if live:  # with no output attached to the graph every gradient is absent
            grads = torch.autograd.grad([o for o, _ in live], targets, grad_outputs=[c for _, c in live],
                                        allow_unused=True)
        as_np = [None if g is None else g.detach().numpy() for g in grads]
        return ([np.asarray(o.detach().numpy()) for o in outs],
                dict(zip(diff, as_np[:len(diff)])),
                {s.canonical: g for s, g in zip(params, as_np[len(diff):])},
                tapped)

    # --- the training step (harness.adapter.Adapter.train) ---------------------------------------------
    def optimizer(self, training):
        opt, params = training.opt, [s.handle for s in training.trainable]
        if not params:
            return None
        if opt.name == "adam":
            return torch.optim.Adam(params, lr=opt.lr, betas=opt.betas, eps=opt.eps, weight_decay=0.0,
                                    amsgrad=False)
        return torch.optim.SGD(params, lr=opt.lr, momentum=opt.momentum, dampening=0.0,
                               weight_decay=opt.weight_decay, nesterov=False)

    def train_step(self, training):
        optimizer = training.optimizer
        torch.manual_seed(training.request.seed)
        outs = adapter.leaves(training.model(*(torch.from_numpy(v) for v in training.inputs.values())))
        loss = sum(w * F.mse_loss(o, torch.from_numpy(t)) for o, (t, w) in zip(outs, training.targets))
        if optimizer and loss.requires_grad:  # else nothing to update (no parameters, or all detached)
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
        return loss.item(), {s.canonical: None if s.handle.grad is None else s.handle.grad.numpy()
                             for s in training.trainable}

    def optimizer_state(self, training):
        if training.optimizer is None:
            return {}
        state = training.optimizer.state
        return {(name, s.canonical): state[s.handle][name].numpy() for s in training.trainable
                for name in training.opt.state_names if name in state[s.handle]}


def rnn_slots(module, prefix):
    """nn.RNN/GRU/LSTM: canonical as they are (rule 5 of harness.adapter)."""
    kind = RNN_KINDS[module.mode]
    return [adapter.Slot(prefix + name, prefix + name, tuple(p.shape), p, recurrent=kind)
            for name, p in module.named_parameters(recurse=False)]


def attention_slots(module, prefix):
    """nn.MultiheadAttention is the book's W_q, W_k, W_v (packed in in_proj_*) and W_o (out_proj), rule 4."""
    slots = []
    for kind in ("weight", "bias"):
        packed = getattr(module, f"in_proj_{kind}")
        if packed is not None:
            sources = tuple(f"{prefix}W_{x}.{kind}" for x in "qkv")
            slots.append(adapter.Slot(", ".join(sources), f"{prefix}in_proj_{kind}", tuple(packed.shape), packed,
                                      lambda *qkv: np.concatenate(qkv), lambda g: tuple(np.split(g, 3)),
                                      sources=sources))
        own = getattr(module.out_proj, kind)
        if own is not None:
            slots.append(adapter.Slot(f"{prefix}W_o.{kind}", f"{prefix}out_proj.{kind}", tuple(own.shape), own))
    return slots
