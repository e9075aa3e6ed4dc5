"""Flax NNX adapter: NHWC feature maps, kernels (in, out) / (kH, kW, I, O), modules that own their state.

An NNX model is a graph of Python objects whose ``nnx.Variable``s (``nnx.Param``, ``nnx.BatchStat``, a
plain ``nnx.Variable`` for a constant) exist from construction: the realisation is built once, with
``nnx.Rngs(seed)``, and every variable is found with ``nnx.iter_graph`` at its path (``hidden/kernel``,
``net/layers/0/kernel``). Canonical names follow the rules of ``harness.adapter`` (an ``nnx.List`` is a
PyTorch ``ModuleList``; ``nnx.Sequential``'s ``layers`` is its only list, numbered directly). The mode is
NNX's own switch, ``model.train()`` / ``model.eval()`` (``deterministic`` of Dropout and attention,
``use_running_average`` of BatchNorm). The forward and backward pass is the functional API:
``nnx.split(model, nnx.Param, ...)``, a pure function that ``nnx.merge``s and calls the model, and
``jax.vjp`` of it under ``jax.jit`` (the cotangents are the spec's, not a scalar loss); the state it
changes (running statistics, rng counts) is put back with ``nnx.update``; taps are ``nnx.capture`` of
every module's ``__call__`` output. The training step is NNX's own: ``nnx.value_and_grad`` of the loss
and ``nnx.Optimizer(model, tx, wrt=nnx.Param).update(model, grads)``, each under ``nnx.jit`` (the first
compiled once per block and shared by its optimizers). ``jax_enable_x64`` is set per request, as for linen.
"""

import inspect

import flax
import jax
import jax.numpy as jnp
import numpy as np
import optax
from flax import nnx

from backends.flax.adapter import Adapter as LinenAdapter  # the same optax optimizers (and the JAX cache)
from harness import adapter, recurrent

# Layers whose variable names differ from PyTorch's (layer class -> {nnx name: PyTorch name})
RENAMES = {nnx.Embed: {"embedding": "weight"}, nnx.LayerNorm: {"scale": "weight"},
           nnx.BatchNorm: {"scale": "weight", "mean": "running_mean", "var": "running_var"}}
# Modules whose parameters are mapped as a whole (rules 4 and 5 of harness.adapter)
WHOLE = (nnx.RNNCellBase, nnx.MultiHeadAttention)
# A cell's Linear layers: (side, gate index or None for all gates stacked in PyTorch's order)
CELL_LAYERS = {"dense_i": ("ih", None), "dense_h": ("hh", None),
               "ii": ("ih", 0), "if_": ("ih", 1), "ig": ("ih", 2), "io": ("ih", 3),
               "hi": ("hh", 0), "hf": ("hh", 1), "hg": ("hh", 2), "ho": ("hh", 3)}
SKIP = (nnx.RngState, nnx.Intermediate)  # rng keys and counts, captured outputs: never slots


class Built:
    """The model, and its variables by path (the graph's own objects: loading and reading go through them)."""

    def __init__(self, model):
        self.model = model
        self.vars = {path: v for path, v in nnx.iter_graph(model)
                     if isinstance(v, nnx.Variable) and not isinstance(v, SKIP)}
        self.modules = {path: m for path, m in nnx.iter_modules(model)}


def set_mode(model, mode):
    if mode == "train":
        model.train()
    else:
        model.eval()


def sowing(cls):
    """``cls`` whose ``__call__`` also sows its output (as ``nnx.Intermediate`` named ``__call__``). Only the
    tapped modules get it: ``nnx.capture(method_outputs=...)`` sows in every module, and a cell inside
    ``nnx.RNN``'s scan that sows changes the carry's structure, which scan refuses (seq2seq_encoder)."""
    if getattr(cls, "_sows", False):
        return cls

    def __call__(self, *args, **kwargs):
        out = cls.__call__(self, *args, **kwargs)
        self.sow(nnx.Intermediate, "__call__", out)
        return out

    return type(cls.__name__, (cls,), {"__call__": __call__, "_sows": True})


class Adapter(adapter.Adapter):
    name = "flax_nnx"
    nhwc = True
    batch_major = True  # nnx.RNN(time_major=False), the default
    states_per_layer = True  # one carry per nnx.RNN
    model_class = nnx.Module
    call_method = "__call__"

    def version(self):
        return f"{flax.__version__} nnx (jax {jax.__version__})"

    def configure(self, request):
        jax.config.update("jax_enable_x64", request.dtype == "float64")

    def instantiate(self, request, **kwargs):
        """``factory(**spec.args, rngs=nnx.Rngs(seed))``; NNX has no lazy shapes, so a realisation that
        takes ``in_features`` (where PyTorch writes a lazy layer) is given its first input's feature size:
        the channels of a feature map, the last axis otherwise. One that takes ``dtype`` (a layer that fixes
        its computation's dtype when it is built: nnx.Embed, nnx.SimpleCell) is given the run's."""
        if request.spec.function:
            return super().instantiate(request)
        factory = request.factory
        takes = inspect.signature(factory.__init__ if isinstance(factory, type) else factory).parameters
        if "in_features" in takes and "in_features" not in request.spec.args:
            first = next(iter(request.spec.inputs.values()))
            kwargs["in_features"] = first.shape[1] if first.layout == "NCHW" else first.shape[-1]
        if "dtype" in takes and "dtype" not in request.spec.args:
            kwargs["dtype"] = jnp.dtype(request.dtype)
        return super().instantiate(request, rngs=nnx.Rngs(request.seed), **kwargs) if "rngs" in takes \
            else super().instantiate(request, **kwargs)

    def build(self, request, inputs):
        model = self.instantiate(request)
        set_mode(model, request.mode)
        return Built(model)

    def snapshot(self, built):
        return nnx.clone(nnx.state(built.model))  # parameters, statistics, dropout's rng counts

    def restore(self, built, state):
        nnx.update(built.model, state)
        return built

    def shapes_before_call(self, request):
        """NNX has no lazy shapes: every layer is given its input size, and its variables exist (with their
        shapes) as soon as the model is constructed; ``nnx.eval_shape`` builds it without allocating."""
        self.configure(request)
        if request.spec.function:
            return {}
        model = nnx.eval_shape(lambda: self.instantiate(request))
        return {native(path): tuple(v.shape) for path, v in nnx.iter_graph(model)
                if isinstance(v, nnx.Variable) and not isinstance(v, SKIP)}

    def slots(self, built, spec):
        slots, by_owner, by_module = [], {}, {}
        whole = {p: m for p, m in built.modules.items() if isinstance(m, WHOLE)}
        for path, var in built.vars.items():
            owner = next((p for p in whole if path[:len(p)] == p), None)
            if owner is not None and isinstance(var, nnx.Param):
                by_owner.setdefault(owner, {})[path[len(owner):]] = var
            else:
                by_module.setdefault(path[:-1], {})[path[-1]] = var
        for owner, tree in by_owner.items():
            if isinstance(whole[owner], nnx.MultiHeadAttention):
                slots += attention_slots(owner, tree, built.modules)
            else:
                slots += rnn_slots(owner, whole[owner], tree, built.modules, spec)
        for mpath, here in by_module.items():
            module = built.modules.get(mpath)
            prefix = canonical_prefix(mpath, built.modules)
            params = {k: v for k, v in here.items() if isinstance(v, nnx.Param)}
            if isinstance(module, (nnx.Linear, nnx.Conv)) and "kernel" in params:
                bias = params.get("bias")
                extra = (spec,) if isinstance(module, nnx.Linear) else ()
                make = adapter.dense_slots if isinstance(module, nnx.Linear) else adapter.conv_slots
                slots += make(prefix, native(mpath) + "/", params["kernel"].shape, None if bias is None else bias.shape,
                              *extra, handles=((*mpath, "kernel"), None if bias is None else (*mpath, "bias")))
                here = {k: v for k, v in here.items() if k not in params}
            rename = next((r for cls, r in RENAMES.items() if isinstance(module, cls)), {})
            slots += [adapter.Slot(prefix + rename.get(k, k), native((*mpath, k)), tuple(v.shape), (*mpath, k),
                                   constant=not isinstance(v, nnx.Param)) for k, v in here.items()]
        return slots

    def read(self, built, slots):
        return {s.canonical: np.asarray(built.vars[s.handle].get_value()) for s in slots}

    def load(self, built, slots, values):
        for s in slots:
            built.vars[s.handle].set_value(jnp.asarray(values[s.canonical]))

    def forward_backward(self, built, request, slots, inputs, cotangents):
        spec, names = request.spec, list(inputs)
        diff = [k for k in names if spec.inputs[k].differentiable]
        graphdef, params, rest = nnx.split(built.model, nnx.Param, ...)
        block = self.per_block(request, "forward and backward")  # compiled once, reused by the next request
        if not block:
            paths = {canonical_prefix(p, built.modules)[:-1]: p for p in built.modules if p}
            wanted = {paths[t]: t for t in (spec.taps if request.taps else ()) if t in paths}

            def call(model, *xs):
                return model(*xs)

            def f(params, rest, inputs, *diff_xs):
                xs = {**inputs, **dict(zip(diff, diff_xs))}
                model = nnx.merge(graphdef, params, rest)
                args = [xs[k] for k in names]
                taps = {}
                if wanted:  # the wanted modules' __call__ outputs, sown as nnx.Intermediate
                    for path, m in nnx.iter_modules(model):
                        if path in wanted:
                            m.__class__ = sowing(type(m))
                    out, found = nnx.capture(call, nnx.Intermediate)(model, *args)
                    for path, var in nnx.to_flat_state(found):
                        if path[-1] == "__call__" and path[:-1] in wanted:
                            taps[wanted[path[:-1]]] = adapter.first(var.get_value()[0])  # a reused one's first call
                else:
                    out = call(model, *args)
                _, _, changed = nnx.split(model, nnx.Param, ...)  # running statistics, rng counts
                return tuple(adapter.leaves(out)), (taps, changed)

            def forward_backward(params, rest, inputs, diff_xs, cts):
                # rest is a primal too (its cotangent is dropped): NNX lets a variable change (a running mean)
                # only in the trace that made it
                outs, vjp, (taps, changed) = jax.vjp(lambda p, r, *d: f(p, r, inputs, *d), params, rest, *diff_xs,
                                                     has_aux=True)
                g_params, _, *g_inputs = vjp(tuple(adapter.fit_cotangent(c, o.shape) for o, c in zip(outs, cts)))
                return outs, (g_params, *g_inputs), taps, changed

            block["eager"], block["jit"] = forward_backward, jax.jit(forward_backward)

        args = (params, rest, {k: jax.tree_util.tree_map(jnp.asarray, v) for k, v in inputs.items() if k not in diff},
                tuple(jax.tree_util.tree_map(jnp.asarray, inputs[k]) for k in diff),
                tuple(jnp.asarray(c) for c in cotangents))
        outs, (g_params, *g_inputs), taps, changed = adapter.jax_compiled(jax, block, *args)  # as NNX is run
        nnx.update(built.model, changed)
        flat = {path: v for path, v in nnx.to_flat_state(g_params)}
        grads = {s.canonical: np.asarray(flat[s.handle].get_value()) if s.handle in flat else None
                 for s in slots if not s.constant}
        g_inputs = [jax.tree_util.tree_map(np.asarray, g) for g in g_inputs]
        return ([np.asarray(o) for o in outs], dict(zip(diff, g_inputs)), grads,
                {k: np.asarray(v) for k, v in taps.items()})

    # --- the training step: nnx.value_and_grad and nnx.Optimizer ----------------------------------------
    def optimizer(self, training):
        return nnx.Optimizer(training.model.model, LinenAdapter.optimizer(self, training), wrt=nnx.Param)

    def train_step(self, training):
        """The loss's value and gradients, then ``optimizer.update``, each under ``nnx.jit``; the gradient is
        compiled once per block (``per_block``), shared by its optimizers: only the update differs."""
        built, kept, optimizer = training.model, training.kept, training.optimizer
        xs = [jax.tree_util.tree_map(jnp.asarray, v) for v in training.inputs.values()]
        targets = [t for t, _ in training.targets]
        block = self.per_block(training.request, "loss gradient")
        if not block:
            weights = [w for _, w in training.targets]

            def loss_fn(model, xs, targets):
                outs = adapter.leaves(model(*xs))
                return sum(w * jnp.mean((o - t) ** 2) for o, t, w in zip(outs, targets, weights))

            block["eager"] = nnx.value_and_grad(loss_fn)
            block["jit"] = nnx.jit(block["eager"])
        if not kept:
            kept["update"] = nnx.jit(lambda model, optimizer, grads: optimizer.update(model, grads))
        loss, grads = adapter.jax_compiled(jax, block, built.model, xs, targets)
        kept["update"](built.model, optimizer, grads)
        flat = {path: v for path, v in nnx.to_flat_state(grads)}
        return loss, {s.canonical: np.asarray(flat[s.handle].get_value()) if s.handle in flat else None
                      for s in training.trainable}

    def optimizer_state(self, training):
        state = training.optimizer.opt_state
        out = {}
        for name, key in (("momentum_buffer", "trace"), ("exp_avg", "mu"), ("exp_avg_sq", "nu")):
            if name not in training.opt.state_names:
                continue
            tree = optax.tree_utils.tree_get(state, key)
            if tree is None:
                continue
            flat = {path: v for path, v in nnx.to_flat_state(tree)}
            out.update({(name, s.canonical): np.asarray(flat[s.handle].get_value()) for s in training.trainable
                        if s.handle in flat})
        return out


def native(path) -> str:
    return "/".join(map(str, path))


def only_list(parent, attr) -> bool:
    """Whether the list in ``parent.attr`` holds all of ``parent``'s sub-modules (rule 2: a Sequential)."""
    def holds(v):
        return isinstance(v, nnx.Module) or (isinstance(v, (list, tuple, nnx.List))
                                             and any(isinstance(x, nnx.Module) for x in v))
    return not any(holds(v) for k, v in vars(parent).items() if k != attr and not k.startswith("_"))


def canonical_prefix(path, modules) -> str:
    """Rules 1 and 2 of harness.adapter, on an NNX path such as ('net', 'layers', 0)."""
    prefix, i = "", 0
    while i < len(path):
        part = path[i]
        if i + 1 < len(path) and isinstance(path[i + 1], int):
            k = path[i + 1]
            prefix += f"{k}." if only_list(modules.get(tuple(path[:i])), part) else f"{part}.{k}."
            i += 2
        else:
            prefix += f"{part}."
            i += 1
    return prefix


# --- rule 4: nnx.MultiHeadAttention is the book's W_q, W_k, W_v, W_o --------------------------------
def attention_slots(owner, tree, modules):
    prefix, slots = canonical_prefix(owner, modules), []
    for (sub, leaf), var in sorted(tree.items()):
        if leaf != "kernel":
            continue
        role = {"query": "query", "key": "key", "value": "value", "out": "output"}[sub]
        bias = tree.get((sub, "bias"))
        slots += adapter.heads_slots(prefix, role, native((*owner, sub)) + "/", var.shape,
                                     None if bias is None else bias.shape,
                                     handles=((*owner, sub, "kernel"), (*owner, sub, "bias")))
    return slots


# --- rule 5: the cell of an nnx.RNN is one layer (and direction) of PyTorch's nn.RNN/GRU/LSTM -----------
def rnn_position(owner, modules):
    """(canonical prefix, layer, reverse) of the cell at ``owner`` (its nnx.RNN's attribute ``cell``)."""
    path, reverse = owner[:-1], False
    if path and isinstance(modules.get(path[:-1]), nnx.Bidirectional):
        path, reverse = path[:-1], path[-1] == "backward_rnn"
    if len(path) >= 2 and isinstance(path[-1], int):
        return canonical_prefix(path[:-2], modules) + f"{path[-2]}.", path[-1], reverse
    return canonical_prefix(path, modules), 0, reverse


def rnn_slots(owner, cell, tree, modules, spec):
    """Each Linear of the cell (``dense_i``/``dense_h`` with every gate stacked in PyTorch's order, or one per
    gate, ``ii``/``hi``, ...) as (blocks of) PyTorch's ``weight_ih``/``weight_hh``; a cell with a bias on one
    side only holds ``bias_ih + bias_hh`` there."""
    kinds = {nnx.GRUCell: "gru", nnx.LSTMCell: "lstm", nnx.OptimizedLSTMCell: "lstm", nnx.SimpleCell: "rnn"}
    kind = next((k for cls, k in kinds.items() if isinstance(cell, cls)), None)
    if kind is None:
        raise adapter.BindingError(f"{spec.name}[flax_nnx]: {type(cell).__name__} at {native(owner)} has no "
                                   "PyTorch counterpart (expected SimpleCell, GRUCell, LSTMCell)")
    prefix, layer, reverse = rnn_position(owner, modules)
    names = recurrent.names(prefix, layer, reverse)
    gates = recurrent.GATES[kind]
    n = len(gates)
    sides_with_bias = {CELL_LAYERS[sub][0] for (sub, leaf) in tree if leaf == "bias"}
    fused_to, fused_back = recurrent.fused_bias()
    slots = []
    for (sub, leaf), var in sorted(tree.items()):
        side, gate = CELL_LAYERS[sub]
        handle = (*owner, sub, leaf)
        name = native(handle)
        label = f"[{gates[gate]}]" if gate is not None and n > 1 else ""
        if gate is None:  # every gate, PyTorch's order: the whole (transposed) matrix
            pick, put = (lambda a: np.asarray(a)), (lambda g: g)
        else:
            pick = (lambda a, j=gate: recurrent.block(a, j, n))
            put = (lambda g, j=gate: recurrent.unblock(g, j, n))
        if leaf == "kernel":
            w = names[f"weight_{side}"]
            slots.append(adapter.Slot(f"{w}{label}", name, tuple(var.shape), handle,
                                      lambda a, pick=pick: pick(a).T, lambda g, put=put: (put(g.T),),
                                      sources=(w,), recurrent=kind))
        elif len(sides_with_bias) == 2:  # this side's own bias
            b = names[f"bias_{side}"]
            slots.append(adapter.Slot(f"{b}{label}", name, tuple(var.shape), handle,
                                      pick, lambda g, put=put: (put(g),), sources=(b,), recurrent=kind))
        else:  # one bias for both sides: the sum
            sources = (names["bias_ih"], names["bias_hh"])
            slots.append(adapter.Slot(
                " + ".join(f"{c}{label}" for c in sources), name, tuple(var.shape), handle,
                lambda bi, bh, pick=pick: fused_to(pick(bi), pick(bh)),
                lambda g, put=put: tuple(put(x) for x in fused_back(g)), sources=sources, recurrent=kind))
    return slots
