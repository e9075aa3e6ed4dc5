"""Keras 3 adapter (TensorFlow backend): NHWC feature maps, kernels (in, out) / (kH, kW, I, O).

Keras runs the same layers on other engines (``KERAS_BACKEND``): backends/keras_jax and keras_torch
subclass this adapter and override only the engine's part (the block "what differs per engine" below):
how arrays become tensors, how gradients are taken and how the optimizer's step is applied.

A subclassed model has no weights until its first call, so ``build`` calls it once; float64 needs
``keras.config.set_floatx`` and ``set_dtype_policy`` *before* the layers exist (per-layer dtypes still
cast the input to float32).
Layers are found by walking attributes (``self.hidden``), lists of layers and ``Sequential.layers``; the
variable paths Keras prints (``dense_3/kernel``) carry per-process counters and are never used for mapping.
The input gradient needs ``tape.watch``: without it TensorFlow silently returns None.
The mode is the ``training=`` argument of the call, which Keras hands down to every layer.
``keras.utils.set_random_seed`` runs before the layers exist: a Dropout layer takes its seed then.
Built-in layers name their variables differently from PyTorch: ``RENAMES`` maps them, per class.
"""

import os

os.environ.setdefault("KERAS_BACKEND", "tensorflow")

import keras  # noqa: E402
import numpy as np  # noqa: E402

if keras.backend.backend() == "tensorflow":  # the engines' subclasses never touch tf: importing it there
    import tensorflow as tf  # would add TensorFlow's start (about 1.8 s) to theirs

from harness import adapter, recurrent  # noqa: E402

# Layers whose parameter names differ from PyTorch's (layer class -> {Keras name: PyTorch name})
# A built-in layer's own variable names -> PyTorch's (the naming rules of harness.adapter keep the rest).
RENAMES = {keras.layers.Embedding: {"embeddings": "weight"},
           keras.layers.LayerNormalization: {"gamma": "weight", "beta": "bias"},
           keras.layers.BatchNormalization: {"gamma": "weight", "beta": "bias", "moving_mean": "running_mean",
                                             "moving_variance": "running_var"}}
# Gate order of Keras's stacked kernels, in PyTorch's letters (GRU: Keras's z, r, h)
KERAS_GATES = {keras.layers.SimpleRNNCell: ("rnn", ("h",)), keras.layers.GRUCell: ("gru", ("z", "r", "n")),
               keras.layers.LSTMCell: ("lstm", ("i", "f", "g", "o"))}



def folds_activation(layer) -> bool | int:
    """Rule 3 of harness.adapter (and rule 6: a ZeroPadding2D stands for no PyTorch module)."""
    if isinstance(layer, keras.layers.ZeroPadding2D):
        return 0
    if isinstance(layer, keras.layers.Activation):  # the activation itself, one PyTorch module
        return False
    act = getattr(layer, "activation", None)
    return act is not None and act is not keras.activations.linear


def attributes(layer) -> dict:
    """A layer's attributes. On the torch engine a Keras layer is also a ``torch.nn.Module``, which keeps
    the sub-layers assigned to it in ``_modules``, not in ``__dict__`` (lists of layers stay there)."""
    return {**vars(layer), **vars(layer).get("_modules", {})}


def sublayers(layer):
    """[(canonical name, native name, child)] following rules 1-3 of harness.adapter."""
    if isinstance(layer, keras.Sequential):
        children = list(layer.layers)
        return [(str(i), f"layers[{j}]", c)
                for j, (i, c) in enumerate(zip(adapter.sequence_numbers([folds_activation(c) for c in children]),
                                               children))]
    singles, lists = [], []
    for attr, value in attributes(layer).items():
        if attr.startswith("_"):
            continue
        if isinstance(value, keras.layers.Layer):
            singles.append((attr, attr, value))
        elif isinstance(value, (list, tuple)) and value and all(isinstance(v, keras.layers.Layer) for v in value):
            lists.append((attr, value))
    out = list(singles)
    for attr, items in lists:
        numbers = adapter.sequence_numbers([folds_activation(c) for c in items])
        only = not singles and len(lists) == 1
        out += [(str(i) if only else f"{attr}.{i}", f"{attr}[{j}]", c) for j, (i, c) in enumerate(zip(numbers, items))]
    return out


def walk(layer, prefix="", native=""):
    yield prefix, native, layer
    for name, native_name, child in sublayers(layer):
        yield from walk(child, adapter.join(prefix, name), f"{native}{native_name}.")


class Adapter(adapter.Adapter):
    name = "keras"
    nhwc = True
    batch_major = True  # Keras 3's recurrent layers have no time-major option
    states_per_layer = True  # initial_state=[h] / [h, c] per layer, each (N, H)
    model_class = keras.layers.Layer
    call_method = "call"

    def version(self):
        return f"{keras.__version__} ({keras.backend.backend()} {self.engine_version()})"

    # --- what differs per engine (overridden in backends/keras_jax and keras_torch) -------------------
    def engine_version(self) -> str:
        return tf.__version__

    def tensor(self, a):
        """A NumPy array (or a list of them: per-layer states) as the engine's tensors."""
        return tf.nest.map_structure(tf.constant, a)

    def numpy(self, t):
        """An engine tensor as NumPy; TensorFlow's IndexedSlices (an Embedding's gradient) densified."""
        return np.asarray(tf.convert_to_tensor(t))

    def kept(self, t):
        """A tapped tensor as it is now, safe from the realisation's later in-place ops (``Y += X``)."""
        return t

    def vjp(self, model, xs: list, diff: list, variables: list, training: bool, cotangents: list, tapped: dict):
        """One forward pass and the backward pass of ``cotangents``: (outputs, gradients of the inputs at
        positions ``diff``, then of ``variables``, None where the engine gives none). ``tapped`` fills
        during the forward pass (``_tap``)."""
        with tf.GradientTape() as tape:
            for i in diff:
                tape.watch(xs[i])  # without it the input gradient is silently None
            outs = adapter.leaves(model(*xs, training=training))
        grads = tape.gradient(outs, [xs[i] for i in diff] + variables,
                              output_gradients=[tf.constant(adapter.fit_cotangent(c, o.shape))
                                                for o, c in zip(outs, cotangents)])
        return outs, grads

    def loss_gradients(self, training, xs: list, targets: list, variables: list, loss_of):
        """(loss, gradients of ``loss_of(outputs, targets)`` for ``variables``, None where the engine gives
        none)."""
        with tf.GradientTape() as tape:
            loss = loss_of(adapter.leaves(training.model(*xs, training=training.request.mode == "train")), targets)
        grads = tape.gradient(loss, variables)
        # An Embedding's gradient is IndexedSlices, one row per occurrence of a token. Keras's Adam
        # squares those rows before adding duplicates up (v gets sum(g^2), not (sum g)^2: measured),
        # which is not Adam's rule: densified first, unless the trap keeps Keras's default.
        if training.request.trap != "keras_adam_sparse_embedding":
            grads = [None if g is None else tf.convert_to_tensor(g) for g in grads]
        return loss, grads

    def apply_gradients(self, training, pairs: list) -> None:
        """The optimizer's step for [(gradient, variable)]."""
        training.optimizer.apply_gradients(pairs)

    def configure(self, request):
        # Both: once a layer exists the global dtype policy is cached, and set_floatx alone no longer
        # changes it (a float64 request after a float32 one would silently compute in float32).
        keras.config.set_floatx(request.dtype)
        keras.config.set_dtype_policy(request.dtype)
        keras.utils.set_random_seed(request.seed)

    def build(self, request, inputs):
        model = self.instantiate(request)
        # A layer without a build() of its own (every d2l model written as a class) is built, at its first
        # call, by tracing that call symbolically before running it: a whole second pass through the model,
        # most of a small block's request. Marked built, its call runs once, eagerly, and each built-in
        # layer inside still builds itself from the shapes it meets, the same variables either way.
        for _, _, layer in walk(model):
            if getattr(layer.build, "_is_default", False):  # Keras's mark of Layer.build not overridden
                layer.built = True
        model(*(self.tensor(v) for v in inputs.values()))  # creates the weights
        return model

    def snapshot(self, model):
        return [self.numpy(v.value) for v in model.variables]  # weights, statistics, dropout's seed state

    def restore(self, model, values):
        for v, value in zip(model.variables, values):
            v.assign(value)
        return model

    def slots(self, model, spec):
        slots, seen = [], set()
        for prefix, native, layer in walk(model):
            own = [v for v in (*layer._trainable_variables, *layer._non_trainable_variables) if id(v) not in seen]
            if all(id(v) in seen for v in layer.weights):  # nothing new here (e.g. inside a layer mapped whole)
                continue
            whole = None
            if isinstance(layer, keras.layers.Bidirectional):
                whole = (rnn_slots(layer.forward_layer, prefix, f"{native}forward_layer.", False, spec)
                         + rnn_slots(layer.backward_layer, prefix, f"{native}backward_layer.", True, spec))
            elif isinstance(layer, keras.layers.RNN):
                whole = rnn_slots(layer, prefix, native, False, spec)
            elif isinstance(layer, keras.layers.MultiHeadAttention):
                whole = attention_slots(layer, prefix, native)
            if whole is not None:  # rules 4 and 5 of harness.adapter: the layer's sublayers are mapped here
                slots += whole
                seen.update(id(v) for v in layer.weights)
                continue
            seen.update(id(v) for v in own)
            if not own:
                continue
            by_name = {v.name: v for v in own}
            if isinstance(layer, (keras.layers.Dense, keras.layers.Conv2D)) and "kernel" in by_name:
                k, b = by_name["kernel"], by_name.get("bias")
                if isinstance(layer, keras.layers.Dense):
                    slots += adapter.dense_slots(prefix, native, k.shape, None if b is None else b.shape, spec,
                                                  handles=(k, b))
                else:
                    slots += adapter.conv_slots(prefix, native, k.shape, None if b is None else b.shape,
                                                 handles=(k, b))
            else:
                rename = next((r for cls, r in RENAMES.items() if isinstance(layer, cls)), {})
                slots += [adapter.Slot(prefix + rename.get(v.name, v.name), native + v.name, tuple(v.shape), v,
                                       constant=not v.trainable) for v in own]
        return slots

    def shapes_before_call(self, request):
        model = self.instantiate(request)  # a layer has no weights until it is built (its first call)
        return {f"{native}{v.name}": tuple(v.shape) for _, native, layer in walk(model)
                for v in (*layer._trainable_variables, *layer._non_trainable_variables)}

    def read(self, model, slots):
        return {s.canonical: self.numpy(s.handle.value) for s in slots}

    def load(self, model, slots, values):
        for s in slots:
            s.handle.assign(values[s.canonical])

    def forward_backward(self, model, request, slots, inputs, cotangents):
        spec = request.spec
        xs = [self.tensor(v) for v in inputs.values()]  # lists: per-layer states
        diff = [i for i, k in enumerate(inputs) if spec.inputs[k].differentiable]
        params = [s for s in slots if not s.constant]
        tapped = {}
        points = adapter.tap_points([(p, layer, folds_activation(layer)) for p, _, layer in walk(model)],
                                    spec.taps if request.taps else ())
        restore = [_tap(layer, where, name, tapped, self.kept) for name, (layer, where) in points.items()]
        try:
            outs, grads = self.vjp(model, xs, diff, [s.handle for s in params], request.mode == "train",
                                   cotangents, tapped)
        finally:
            for undo in restore:
                undo()
        as_np = [None if g is None else keras.tree.map_structure(self.numpy, g) for g in grads]
        names = list(inputs)
        return ([self.numpy(o) for o in outs], {names[i]: g for i, g in zip(diff, as_np)},
                {s.canonical: g for s, g in zip(params, as_np[len(diff):])},
                {k: self.numpy(v) for k, v in tapped.items()})

    # --- the training step (harness.adapter.Adapter.train) ---------------------------------------------
    def optimizer(self, training):
        opt, trap = training.opt, training.request.trap
        if opt.name == "adam":
            eps = {} if trap == "adam_keras_default_eps" else {"epsilon": opt.eps}  # default 1e-7
            return keras.optimizers.Adam(learning_rate=opt.lr, beta_1=opt.betas[0], beta_2=opt.betas[1],
                                         amsgrad=False, **eps)
        decoupled = {"weight_decay": opt.weight_decay} if trap == "weight_decay_decoupled" else {}
        return keras.optimizers.SGD(learning_rate=opt.lr, momentum=opt.momentum, nesterov=False, **decoupled)

    def train_step(self, training):
        trap, trainable = training.request.trap, training.trainable
        variables = [s.handle for s in trainable]
        xs = [self.tensor(v) for v in training.inputs.values()]  # lists: per-layer states
        targets, weights = [self.tensor(t) for t, _ in training.targets], [w for _, w in training.targets]
        # Keras has no coupled weight decay: add wd * p to the gradient, as torch.optim.SGD does
        coupled = training.opt.weight_decay if trap != "weight_decay_decoupled" else 0.0

        def loss_of(outs, targets):  # a sum over the size: ops.mean sums float64 in float32 on JAX and torch
            return sum(w * keras.ops.sum(keras.ops.square(o - t)) / np.prod(o.shape) for o, t, w in
                       zip(outs, targets, weights))

        loss, grads = self.loss_gradients(training, xs, targets, variables, loss_of)
        raw = {s.canonical: None if g is None else self.numpy(g) for s, g in zip(trainable, grads)}
        pairs = [(g + coupled * v.value if coupled else g, v) for g, v in zip(grads, variables) if g is not None]
        if pairs:  # a block without parameters has nothing to update
            self.apply_gradients(training, pairs)
        return float(self.numpy(loss)), raw

    def optimizer_state(self, training):
        """In PyTorch's names and sign: Keras's SGD keeps m = momentum m - lr g, i.e. -lr times torch's buffer."""
        optimizer, opt, out = training.optimizer, training.opt, {}
        for s in training.trainable:
            try:
                i = optimizer._get_variable_index(s.handle)
            except KeyError:  # never given a gradient: the optimizer holds no state for it
                continue
            if opt.name == "momentum":
                out[("momentum_buffer", s.canonical)] = -self.numpy(optimizer.momentums[i].value) / opt.lr
            elif opt.name == "adam":
                out[("exp_avg", s.canonical)] = self.numpy(optimizer._momentums[i].value)
                out[("exp_avg_sq", s.canonical)] = self.numpy(optimizer._velocities[i].value)
        return out


def _tap(layer, where, name, tapped, kept=lambda t: t):
    """Record a layer's output (wrapping the instance's ``call``) or, for a folded activation, its input
    (wrapping the instance's ``activation``), as the engine's tensor (inside JAX's trace a tracer, which
    the JAX engine hands out as an auxiliary output); returns the function that undoes it."""
    attr = "call" if where == "out" else "activation"
    original, had = getattr(layer, attr), attr in vars(layer)

    def recording(*args, **kwargs):
        out = original(*args, **kwargs)
        value = out if where == "out" else args[0]
        tapped.setdefault(name, kept(adapter.first(value)))
        return out

    setattr(layer, attr, recording)
    return (lambda: setattr(layer, attr, original)) if had else (lambda: delattr(layer, attr))


def rnn_slots(layer, prefix, native, reverse, spec):
    """A Keras RNN layer (SimpleRNN, GRU, LSTM, or RNN over stacked cells) as PyTorch's nn.RNN/GRU/LSTM.

    Kernels (C, G*H) are PyTorch's weights transposed with the gates in Keras's order; the bias is
    ``bias_ih + bias_hh`` (SimpleRNN, LSTM) or both as rows (GRU with reset_after=True, the default).
    """
    stacked = isinstance(layer.cell, keras.layers.StackedRNNCells)
    cells = layer.cell.cells if stacked else [layer.cell]
    slots, (to, back) = [], recurrent.fused_bias()
    for k, cell in enumerate(cells):
        where = f"{native}cell.cells[{k}]." if stacked else f"{native}cell."
        kind, gates = next((v for cls, v in KERAS_GATES.items() if isinstance(cell, cls)), (None, None))
        if kind is None:
            raise adapter.BindingError(f"{spec.name}[keras]: {type(cell).__name__} at {where[:-1]} has no "
                                       "PyTorch counterpart (expected SimpleRNNCell, GRUCell, LSTMCell)")
        if kind == "gru" and not cell.reset_after:
            raise adapter.BindingError(
                f"{spec.name}[keras]: {where[:-1]} is a GRU with reset_after=False, which applies the reset gate "
                "before the recurrent matmul: no weights make it compute PyTorch's GRU (reset gate after "
                "W_hn h + b_hn). Use reset_after=True, Keras's default")
        names = recurrent.names(prefix, k, reverse)
        order = recurrent.gate_order(kind, gates)
        for part, var in (("weight_ih", cell.kernel), ("weight_hh", cell.recurrent_kernel)):
            slots.append(adapter.Slot(names[part], where + var.name, tuple(var.shape), var,
                                      lambda w, order=order: recurrent.reorder(w, order).T,
                                      lambda g, order=order: recurrent.unorder(g.T, order), recurrent=kind))
        sources = (names["bias_ih"], names["bias_hh"])
        if kind == "gru":  # (2, 3H): row 0 the input bias, row 1 the recurrent bias
            slots.append(adapter.Slot(
                ", ".join(sources), where + "bias", tuple(cell.bias.shape), cell.bias,
                lambda bi, bh, order=order: np.stack([recurrent.reorder(bi, order), recurrent.reorder(bh, order)]),
                lambda g, order=order: (recurrent.unorder(g[0], order), recurrent.unorder(g[1], order)),
                sources=sources, recurrent=kind))
        else:
            slots.append(adapter.Slot(
                " + ".join(sources), where + "bias", tuple(cell.bias.shape), cell.bias,
                lambda bi, bh, order=order: recurrent.reorder(to(bi, bh), order),
                lambda g, order=order: tuple(recurrent.unorder(x, order) for x in back(g)),
                sources=sources, recurrent=kind))
    return slots


def attention_slots(layer, prefix, native):
    """keras.layers.MultiHeadAttention as the book's W_q, W_k, W_v, W_o (rule 4 of harness.adapter)."""
    slots = []
    for role, dense in (("query", layer._query_dense), ("key", layer._key_dense), ("value", layer._value_dense),
                        ("output", layer._output_dense)):
        bias = getattr(dense, "bias", None)
        where = f"{native}{'attention_output' if role == 'output' else role}."
        slots += adapter.heads_slots(prefix, role, where, tuple(dense.kernel.shape),
                                     None if bias is None else tuple(bias.shape), handles=(dense.kernel, bias))
    return slots
