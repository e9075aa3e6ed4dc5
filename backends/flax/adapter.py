"""Flax (linen) adapter: NHWC feature maps, kernels (in, out) / (kH, kW, I, O), functional parameters.

The realisation is initialised once with the real inputs (so every parameter has its shape), and one
``apply`` under ``nn.intercept_methods`` records which module class sits at each path; the variables tree
is then mapped to canonical names with the rules in ``harness.adapter``. ``jax_enable_x64`` is set per
request, on for float64 only: a float32 request runs the realisation as the user's own process would
(without x64, ``nn.avg_pool(count_include_pad=False)`` stays float32 and ``nn.RNN`` without a carry
scans), and a float64 one computes in float64 (tests/test_own_blocks.py checks both; docs/own-blocks.md
names the flax code that cannot run in float64).

The mode is the realisation's ``training`` field, as in the book's JAX edition (``nn.BatchNorm(not
self.training)``, ``nn.Dropout(p, deterministic=not self.training)``), or the ``training`` argument of
its ``__call__`` where it takes one (the book's ``PositionalEncoding``, ``AddNorm``); in training mode ``apply`` may
change the ``batch_stats`` collection (``mutable``) and gets a ``dropout`` random key. Built-in layers name
their variables differently from PyTorch (``scale``, ``mean``, ``var``): ``RENAMES`` maps them, per class.
"""

import inspect
import re

import flax
import jax
import jax.numpy as jnp
import numpy as np
import optax
from flax import linen as nn

from harness import adapter, recurrent

# Eager (op by op) execution compiles every primitive for every shape it meets; the persistent cache makes
# warm runs of the blocks that cannot be jitted (Python control flow on values) about 4x faster.
adapter.persistent_jax_cache(jax)

COLLECTIONS = {"params": False, "constants": True, "batch_stats": True}  # collection -> not trainable
# Layers whose parameter names differ from PyTorch's (layer class -> {flax name: PyTorch name})
RENAMES = {nn.Embed: {"embedding": "weight"}, nn.LayerNorm: {"scale": "weight"},
           nn.BatchNorm: {"scale": "weight", "mean": "running_mean", "var": "running_var"}}
# Modules whose parameters are mapped as a whole (rules 4 and 5 of harness.adapter)
WHOLE = (nn.RNNCellBase, nn.MultiHeadDotProductAttention)


def mode_kwargs(factory, mode) -> dict:
    """``training=`` (or the book's ``deterministic=``) for a realisation with that field or argument."""
    try:
        fields = inspect.signature(factory).parameters
    except (TypeError, ValueError):
        fields = {}
    if "training" in fields:
        return {"training": mode == "train"}
    return {"deterministic": mode != "train"} if "deterministic" in fields else {}


def call_kwargs(model, mode) -> dict:
    """``training=`` for a realisation whose ``__call__`` takes it (and that has no such field)."""
    if not isinstance(model, nn.Module) or "training" in getattr(model, "__dataclass_fields__", {}):
        return {}
    takes = "training" in inspect.signature(type(model).__call__).parameters
    return {"training": mode == "train"} if takes else {}


class Built:
    def __init__(self, model, variables, modules):
        self.model, self.variables, self.modules = model, variables, modules


def rngs(seed):
    key = jax.random.PRNGKey(seed)
    return {"params": key, "dropout": key}


class Adapter(adapter.Adapter):
    name = "flax"
    nhwc = True
    batch_major = True  # nn.RNN(time_major=False), the default
    states_per_layer = True  # one carry per nn.RNN
    model_class = nn.Module
    call_method = "__call__"

    def version(self):
        return f"{flax.__version__} (jax {jax.__version__})"

    def configure(self, request):
        jax.config.update("jax_enable_x64", request.dtype == "float64")  # per request: never on in a float32 run

    def build(self, request, inputs):
        model = self.instantiate(request, **mode_kwargs(request.factory, request.mode))
        # Shapes are found in the request's dtype, the one jax's own defaults give (x64 on for float64 only):
        # a parameter made by an initializer (self.param) has it, and a scan must not meet other inputs.
        dtype = request.dtype
        xs = [jax.tree_util.tree_map(lambda a: jnp.asarray(a, dtype if a.dtype.kind == "f" else a.dtype), v)
              for v in inputs.values()]
        modules = {}

        def record(f, args, kwargs, context):
            m = context.module  # and its parents: a Sequential whose layers are called one by one
            while isinstance(m, nn.Module):  # (DenseBlock's self.net.layers) is never called itself
                modules.setdefault(m.path, m)
                m = m.parent
            return f(*args, **kwargs)

        def init(rngs, *xs):  # init runs the forward pass: the modules met on the way are recorded
            with nn.intercept_methods(record):
                return model.init(rngs, *xs)

        if request.initialise:  # the realisation's own initial values (harness.init)
            return Built(model, init(rngs(request.seed), *xs), modules)
        try:  # shapes only: no initialiser runs, nothing is compiled
            variables = jax.eval_shape(init, rngs(request.seed), *xs)
        except jax.errors.ConcretizationTypeError:  # Python control flow on values (FixedHiddenMLP)
            modules.clear()
            variables = init(rngs(request.seed), *xs)
        return Built(model, variables, modules)

    def snapshot(self, built):
        return built.model, built.variables, built.modules  # a linen module holds no state

    def restore(self, built, snapshot):
        return Built(*snapshot)  # ``load`` replaces every variable

    def shapes_before_call(self, request):
        return {}  # flax has no parameters before init(key, X): every shape comes from a sample input

    def slots(self, built, spec):
        slots = []
        whole = {p: m for p, m in built.modules.items() if isinstance(m, WHOLE)}
        for collection, constant in COLLECTIONS.items():
            leaves = jax.tree_util.tree_flatten_with_path(built.variables.get(collection, {}))[0]
            by_module, by_owner = {}, {}
            for keypath, leaf in leaves:
                names = tuple(k.key for k in keypath)
                owner = next((p for p in whole if names[:len(p)] == p), None)
                if owner is not None and not constant:
                    by_owner.setdefault(owner, {})[names[len(owner):]] = leaf
                else:
                    by_module.setdefault(names[:-1], {})[names[-1]] = leaf
            for owner, tree in by_owner.items():
                if isinstance(whole[owner], nn.MultiHeadDotProductAttention):
                    slots += attention_slots(owner, tree, built.modules)
                else:
                    slots += rnn_slots(owner, whole[owner], tree, built.modules, spec)
            for mpath, leaves_here in by_module.items():
                module = built.modules.get(mpath)
                prefix = canonical_prefix(mpath, built.modules)
                native = "/".join((collection, *mpath)) + "/"
                handles = {k: (collection, *mpath, k) for k in leaves_here}
                kind = (nn.Dense if isinstance(module, nn.Dense) else nn.Conv if isinstance(module, nn.Conv)
                        else None)
                if kind is not None and not constant and "kernel" in leaves_here:
                    make = adapter.dense_slots if kind is nn.Dense else adapter.conv_slots
                    extra = (spec,) if kind is nn.Dense else ()
                    bias = leaves_here.get("bias")
                    slots += make(prefix, native, leaves_here["kernel"].shape,
                                  None if bias is None else bias.shape, *extra,
                                  handles=(handles["kernel"], handles.get("bias")))
                else:
                    rename = next((r for cls, r in RENAMES.items() if isinstance(module, cls)), {})
                    slots += [adapter.Slot(prefix + rename.get(k, k), native + k, tuple(v.shape), handles[k],
                                           constant=constant) for k, v in leaves_here.items()]
        return slots

    def read(self, built, slots):
        return {s.canonical: adapter.at(built.variables, s.handle) for s in slots}

    def load(self, built, slots, values):
        variables = {}
        for s in slots:
            *parents, leaf = s.handle
            node = variables
            for p in parents:
                node = node.setdefault(p, {})
            node[leaf] = jnp.asarray(values[s.canonical])
        built.variables = variables

    def forward_backward(self, built, request, slots, inputs, cotangents):
        spec, names = request.spec, list(inputs)
        diff = [k for k in names if spec.inputs[k].differentiable]
        params = built.variables.get("params", {})
        others = {k: v for k, v in built.variables.items() if k != "params"}
        mutable = ["batch_stats"] if request.mode == "train" else False  # the running statistics change

        block = self.per_block(request, "forward and backward")  # compiled once, reused by the next request
        if not block:
            # taps: capture_intermediates records the output of every module whose path is wanted
            paths = {canonical_prefix(p, built.modules)[:-1]: p for p in built.modules if p}
            wanted = {paths[t]: t for t in (spec.taps if request.taps else ()) if t in paths}
            model, mode = built.model, call_kwargs(built.model, request.mode)

            def f(params, others, inputs, *diff_xs):
                xs = {**inputs, **dict(zip(diff, diff_xs))}
                out, state = model.apply(
                    {"params": params, **others}, *(xs[k] for k in names), rngs=rngs(request.seed), **mode,
                    mutable=["intermediates", *(mutable or [])],
                    capture_intermediates=lambda m, method: method == "__call__" and m.path in wanted)
                found = state.get("intermediates", {})
                taps = {}
                for path, name in wanted.items():
                    node = found
                    for part in path:
                        node = node.get(part, {})
                    if "__call__" in node:
                        taps[name] = adapter.first(node["__call__"][0])  # the first call of a reused module
                changed = {k: v for k, v in state.items() if k != "intermediates"}  # batch_stats in training
                return tuple(adapter.leaves(out)), (taps, changed)

            def forward_backward(params, others, inputs, diff_xs, cts):
                outs, vjp, (taps, changed) = jax.vjp(lambda p, *d: f(p, others, inputs, *d), params, *diff_xs,
                                                     has_aux=True)
                return outs, vjp(tuple(adapter.fit_cotangent(c, o.shape) for o, c in zip(outs, cts))), taps, changed

            block["eager"], block["jit"] = forward_backward, jax.jit(forward_backward)

        args = (params, others, {k: jax.tree_util.tree_map(jnp.asarray, v) for k, v in inputs.items() if k not in diff},
                tuple(jax.tree_util.tree_map(jnp.asarray, inputs[k]) for k in diff),
                tuple(jnp.asarray(c) for c in cotangents))
        outs, (g_params, *g_inputs), taps, changed = adapter.jax_compiled(jax, block, *args)  # as flax is run
        built.variables = {**built.variables, **changed}
        grads = {s.canonical: adapter.at(g_params, s.handle[1:]) for s in slots if not s.constant}
        g_inputs = [jax.tree_util.tree_map(np.asarray, g) for g in g_inputs]  # a list for per-layer states
        return ([np.asarray(o) for o in outs], dict(zip(diff, g_inputs)), grads,
                {k: np.asarray(v) for k, v in taps.items()})

    # --- the training step (harness.adapter.Adapter.train) ---------------------------------------------
    def optimizer(self, training):
        opt = training.opt
        if opt.name == "adam":
            return optax.adam(opt.lr, b1=opt.betas[0], b2=opt.betas[1], eps=opt.eps, eps_root=0.0)
        sgd = optax.sgd(opt.lr, momentum=opt.momentum or None, nesterov=False)
        return optax.chain(optax.add_decayed_weights(opt.weight_decay), sgd) if opt.weight_decay else sgd

    def train_step(self, training):
        """One step as flax code runs one, compiled: the loss's value and gradients, then the optimizer's
        update. The gradient is compiled once per block and kept (``per_block``): its optimizers differ only
        in the update."""
        built, kept, tx = training.model, training.kept, training.optimizer
        params = built.variables.get("params", {})
        others = {k: v for k, v in built.variables.items() if k != "params"}
        xs = [jax.tree_util.tree_map(jnp.asarray, v) for v in training.inputs.values()]  # lists: per-layer
        targets = [t for t, _ in training.targets]
        if not kept:
            kept["opt_state"] = tx.init(params)

            def update(grads, opt_state, params):
                updates, opt_state = tx.update(grads, opt_state, params)
                return optax.apply_updates(params, updates), opt_state

            kept["update"] = jax.jit(update)
        block = self.per_block(training.request, "loss gradient")
        if not block:
            mutable = ["batch_stats"] if training.request.mode == "train" else []
            seed, weights = training.request.seed, [w for _, w in training.targets]
            mode = call_kwargs(built.model, training.request.mode)

            def loss_fn(params, others, xs, targets):
                outs, changed = built.model.apply({"params": params, **others}, *xs, rngs=rngs(seed), mutable=mutable,
                                                  **mode)
                loss = sum(w * jnp.mean((o - t) ** 2) for o, t, w in zip(adapter.leaves(outs), targets, weights))
                return loss, changed

            block["eager"] = jax.value_and_grad(loss_fn, has_aux=True)
            block["jit"] = jax.jit(block["eager"])
        (loss, changed), grads = adapter.jax_compiled(jax, block, params, others, xs, targets)
        params, kept["opt_state"] = kept["update"](grads, kept["opt_state"], params)
        built.variables = {"params": params, **others, **changed}
        return loss, {s.canonical: adapter.at(grads, s.handle[1:]) for s in training.trainable}

    def optimizer_state(self, training):
        moments = {name: optax.tree_utils.tree_get(training.kept["opt_state"], key)
                   for name, key in (("momentum_buffer", "trace"), ("exp_avg", "mu"), ("exp_avg_sq", "nu"))}
        return {(name, s.canonical): adapter.at(moments[name], s.handle[1:])
                for s in training.trainable for name in training.opt.state_names if moments[name] is not None}


def canonical_prefix(path, modules) -> str:
    """Rules 1 and 2 of harness.adapter, on a flax module path such as ('net', 'layers_0')."""
    prefix = ""
    for i, part in enumerate(path):
        parent, m = modules.get(tuple(path[:i])), re.fullmatch(r"(.+)_(\d+)", part)
        if m and isinstance(getattr(parent, m.group(1), None), (list, tuple)):
            siblings = {p[i] for p in modules if len(p) > i and p[:i] == tuple(path[:i])}
            only_list = all(re.fullmatch(rf"{re.escape(m.group(1))}_\d+", s) for s in siblings)
            prefix += f"{m.group(2)}." if only_list else f"{m.group(1)}.{m.group(2)}."
        else:
            prefix += f"{part}."
    return prefix


# --- rule 4: nn.MultiHeadDotProductAttention is the book's W_q, W_k, W_v, W_o ---------------------
def attention_slots(owner, tree, modules):
    """The attention layer at ``owner`` (its variables ``tree``) as the book's W_q, W_k, W_v, W_o."""
    prefix, slots = canonical_prefix(owner, modules), []
    for (sub, leaf), value in sorted(tree.items()):
        if leaf != "kernel":
            continue
        role = {"query": "query", "key": "key", "value": "value", "out": "output"}[sub]
        bias = tree.get((sub, "bias"))
        native = "/".join(("params", *owner, sub)) + "/"
        slots += adapter.heads_slots(prefix, role, native, value.shape, None if bias is None else bias.shape,
                                     handles=(("params", *owner, sub, "kernel"), ("params", *owner, sub, "bias")))
    return slots


# --- rule 5: the cell of an nn.RNN is one layer (and direction) of PyTorch's nn.RNN/GRU/LSTM ----------
def rnn_position(owner, modules):
    """(canonical prefix, layer, reverse) of the cell at ``owner`` (its nn.RNN's attribute ``cell``)."""
    path, reverse = owner[:-1], False
    if path and isinstance(modules.get(path[:-1]), nn.Bidirectional):
        path, reverse = path[:-1], path[-1] == "backward_rnn"
    m = re.fullmatch(r"(.+)_(\d+)", path[-1]) if path else None
    if m and isinstance(getattr(modules.get(path[:-1]), m.group(1), None), (list, tuple)):
        return canonical_prefix(path[:-1], modules) + f"{m.group(1)}.", int(m.group(2)), reverse
    return canonical_prefix(path, modules), 0, reverse


def rnn_slots(owner, cell, tree, modules, spec):
    """One Dense per gate and side (``ir``, ``hr``, ...): kernels are gate blocks of PyTorch's stacked
    weights; a gate with one bias holds ``bias_ih + bias_hh``, one with two (the GRU's n) one each."""
    kinds = {nn.GRUCell: "gru", nn.LSTMCell: "lstm", nn.OptimizedLSTMCell: "lstm", nn.SimpleCell: "rnn"}
    kind = next((k for cls, k in kinds.items() if isinstance(cell, cls)), None)
    if kind is None:
        raise adapter.BindingError(f"{spec.name}[flax]: {type(cell).__name__} at {'/'.join(owner)} has no "
                                   "PyTorch counterpart (expected SimpleCell, GRUCell, LSTMCell)")
    prefix, layer, reverse = rnn_position(owner, modules)
    names = recurrent.names(prefix, layer, reverse)
    gates = recurrent.GATES[kind]
    n, order = len(gates), recurrent.gate_order(kind, gates)
    slots, (to, back) = [], recurrent.fused_bias()
    for j, gate in enumerate(("",) if kind == "rnn" else gates):
        at = order[j]
        two = (f"i{gate}", "bias") in tree and (f"h{gate}", "bias") in tree
        for side in "ih":
            sub = f"{side}{gate}"
            native = "/".join(("params", *owner, sub)) + "/"
            handle = ("params", *owner, sub)
            label = f"[{gates[at]}]" if n > 1 else ""
            w = names[f"weight_{side}h"]
            slots.append(adapter.Slot(
                f"{w}{label}", native + "kernel", tuple(tree[(sub, "kernel")].shape), (*handle, "kernel"),
                lambda a, at=at: recurrent.block(a, at, n).T,
                lambda g, at=at: (recurrent.unblock(g.T, at, n),), sources=(w,), recurrent=kind))
            if (sub, "bias") not in tree:
                continue
            if two:  # this side's own bias
                b = names[f"bias_{side}h"]
                slots.append(adapter.Slot(
                    f"{b}{label}", native + "bias", tuple(tree[(sub, "bias")].shape), (*handle, "bias"),
                    lambda a, at=at: recurrent.block(a, at, n),
                    lambda g, at=at: (recurrent.unblock(g, at, n),), sources=(b,), recurrent=kind))
            else:  # the sum of both
                sources = (names["bias_ih"], names["bias_hh"])
                slots.append(adapter.Slot(
                    " + ".join(f"{c}{label}" for c in sources), native + "bias", tuple(tree[(sub, "bias")].shape),
                    (*handle, "bias"),
                    lambda bi, bh, at=at: to(recurrent.block(bi, at, n), recurrent.block(bh, at, n)),
                    lambda g, at=at: tuple(recurrent.unblock(x, at, n) for x in back(g)),
                    sources=sources, recurrent=kind))
    return slots
