"""Keras 3 adapter (TensorFlow backend): NHWC feature maps, kernels (in, out) / (kH, kW, I, O).

A subclassed model has no weights until its first call, so ``build`` calls it once; float64 needs
``keras.config.set_floatx`` and ``set_dtype_policy`` *before* the layers exist (per-layer dtypes still
cast the input to float32).
Layers are found by walking attributes (``self.hidden``), lists of layers and ``Sequential.layers``; the
variable paths Keras prints (``dense_3/kernel``) carry per-process counters and are never used for mapping.
The input gradient needs ``tape.watch``: without it TensorFlow silently returns None.
"""

import os

os.environ.setdefault("KERAS_BACKEND", "tensorflow")

import keras  # noqa: E402
import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402

from harness import adapter  # noqa: E402


def folds_activation(layer) -> bool:
    act = getattr(layer, "activation", None)
    return act is not None and act is not keras.activations.linear


def sublayers(layer):
    """[(canonical name, native name, child)] following rules 1-3 of harness.adapter."""
    if isinstance(layer, keras.Sequential):
        children = list(layer.layers)
        return [(str(i), f"layers[{j}]", c)
                for j, (i, c) in enumerate(zip(adapter.sequence_numbers([folds_activation(c) for c in children]),
                                               children))]
    singles, lists = [], []
    for attr, value in vars(layer).items():
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

    def version(self):
        return f"{keras.__version__} (tensorflow {tf.__version__})"

    def build(self, factory, spec, inputs, dtype):
        # Both: once a layer exists the global dtype policy is cached, and set_floatx alone no longer
        # changes it (a float64 request after a float32 one would silently compute in float32).
        keras.config.set_floatx(dtype)
        keras.config.set_dtype_policy(dtype)
        model = factory(**spec.args)
        model(*(tf.constant(v) for v in inputs.values()))  # creates the weights
        return model

    def slots(self, model, spec):
        slots, seen = [], set()
        for prefix, native, layer in walk(model):
            own = [v for v in (*layer._trainable_variables, *layer._non_trainable_variables) if id(v) not in seen]
            seen.update(id(v) for v in own)
            if not own:
                continue
            by_name = {v.name: v for v in own}
            if isinstance(layer, (keras.layers.Dense, keras.layers.Conv2D)) and "kernel" in by_name:
                k, b = by_name["kernel"], by_name.get("bias")
                if isinstance(layer, keras.layers.Dense):
                    slots += adapter.dense_slots(prefix, native, k.shape, None if b is None else b.shape, spec,
                                                  handles=(k, b), fault=self.fault)
                else:
                    slots += adapter.conv_slots(prefix, native, k.shape, None if b is None else b.shape,
                                                 handles=(k, b), fault=self.fault)
            else:
                slots += [adapter.Slot(prefix + v.name, native + v.name, tuple(v.shape), v, constant=not v.trainable)
                          for v in own]
        return slots

    def load(self, model, slots, values):
        for s in slots:
            s.handle.assign(values[s.canonical])

    def forward_backward(self, model, spec, slots, inputs, cotangents, want_taps):
        xs = {k: tf.constant(v) for k, v in inputs.items()}
        diff = [k for k in xs if spec.inputs[k].differentiable]
        params = [s for s in slots if not s.constant]
        tapped = {}
        points = adapter.tap_points([(p, layer, folds_activation(layer)) for p, _, layer in walk(model)],
                                    spec.taps if want_taps else ())
        restore = [_tap(layer, where, name, tapped) for name, (layer, where) in points.items()]
        try:
            with tf.GradientTape() as tape:
                for k in diff:
                    tape.watch(xs[k])  # without it the input gradient is silently None
                outs = model(*xs.values())
        finally:
            for undo in restore:
                undo()
        outs = list(outs) if isinstance(outs, (tuple, list)) else [outs]
        grads = tape.gradient(outs, [xs[k] for k in diff] + [s.handle for s in params],
                              output_gradients=[tf.constant(adapter.fit_cotangent(c, o.shape))
                                                for o, c in zip(outs, cotangents)])
        as_np = [None if g is None else np.asarray(g) for g in grads]
        return ([np.asarray(o) for o in outs], dict(zip(diff, as_np[:len(diff)])),
                {s.canonical: g for s, g in zip(params, as_np[len(diff):])}, tapped)


def _tap(layer, where, name, tapped):
    """Record a layer's output (wrapping the instance's ``call``) or, for a folded activation, its input
    (wrapping the instance's ``activation``); returns the function that undoes it."""
    attr = "call" if where == "out" else "activation"
    original, had = getattr(layer, attr), attr in vars(layer)

    def recording(*args, **kwargs):
        out = original(*args, **kwargs)
        value = out if where == "out" else args[0]
        tapped.setdefault(name, np.asarray(value[0] if isinstance(value, (tuple, list)) else value))
        return out

    setattr(layer, attr, recording)
    return (lambda: setattr(layer, attr, original)) if had else (lambda: delattr(layer, attr))
