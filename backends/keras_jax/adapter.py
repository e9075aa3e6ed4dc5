"""Keras 3 on the JAX engine: the Keras adapter, with JAX's own gradients and optimizer step.

JAX differentiates functions, not objects: a Keras user on JAX takes gradients of a stateless call, values in
for the trainable and non-trainable variables, ``(outputs, the new non-trainable values)`` out (a
BatchNormalization's moving statistics and a Dropout's seed come back there, to be assigned), and steps with
``optimizer.stateless_apply``, both under ``jax.jit`` as Keras's own JAX trainer runs a step (a block with
Python control flow on values, d2l's FixedHiddenMLP, runs op by op). ``model.stateless_call`` itself calls
``model.call`` directly, not ``model(...)``: ``training=`` reaches only a ``call`` that declares it, and the
layers inside get no training mode from it (a d2l ``call(self, X)`` around a Dropout runs it in inference
mode, as Keras's own JAX trainer does: tests/test_engines.py). ``stateless`` below is the same scope around
``model(...)``. float64 needs ``jax_enable_x64`` before Keras makes a variable: without it a float64 policy
reports float64 variables and computes in float32 (tests/test_engines.py).
"""

import os
import sys

os.environ.setdefault("KERAS_BACKEND", "jax")  # the worker's ENVIRON sets it before this import
# This engine runs as where TensorFlow is not installed (a CI job of Keras on JAX): Keras then seeds
# only the streams it draws from. Otherwise ``keras.utils.set_random_seed`` imports TensorFlow to seed it too, which
# costs this worker TensorFlow's whole start (3 CPU s) at its first build, for nothing it computes.
sys.modules.setdefault("tensorflow", None)

import jax  # noqa: E402

from harness import adapter  # noqa: E402

jax.config.update("jax_enable_x64", True)
# What JAX compiles (a block's jitted step; what runs op by op: building a model, FixedHiddenMLP) is kept in
# the persistent cache that the flax worker uses too, and a warm run reads it back (docs/engines.md).
adapter.persistent_jax_cache(jax)

import jax.numpy as jnp  # noqa: E402
import keras  # noqa: E402
import numpy as np  # noqa: E402

from backends.keras import adapter as keras_adapter  # noqa: E402


def _positions(variables, among) -> list:
    """The index of each of ``variables`` in ``among`` (by identity: Keras variables compare as arrays)."""
    index = {id(v): i for i, v in enumerate(among)}
    return [index[id(v)] for v in variables]


def stateless(model, values, non_trainable, args, training):
    """``model.stateless_call`` through ``model(..., training=training)``: (outputs, the new values of
    ``model.non_trainable_variables``), the variables left as they were."""
    mapping = [*zip(model.trainable_variables, values), *zip(model.non_trainable_variables, non_trainable)]
    with keras.StatelessScope(state_mapping=mapping) as scope:
        outs = model(*args, training=training)
    return outs, [scope.get_current_value(v) for v in model.non_trainable_variables]


class Adapter(keras_adapter.Adapter):
    name = "keras_jax"

    def engine_version(self):
        return jax.__version__

    def tensor(self, a):
        return keras.tree.map_structure(jnp.asarray, a)

    def numpy(self, t):
        return np.asarray(t)

    def vjp(self, model, xs, diff, variables, training, cotangents, tapped):
        trainable, non_trainable = model.trainable_variables, model.non_trainable_variables

        def forward_backward(diff_xs, values, state, xs, cotangents):
            def forward(diff_xs, values):
                args = list(xs)
                for i, x in zip(diff, diff_xs):
                    args[i] = x
                tapped.clear()
                outs, new_state = stateless(model, values, state, args, training)
                return adapter.leaves(outs), (new_state, dict(tapped))  # taps are tracers: handed out as aux

            outs, pullback, aux = jax.vjp(forward, diff_xs, values, has_aux=True)
            return outs, pullback([adapter.fit_cotangent(c, o.shape) for o, c in zip(outs, cotangents)]), aux

        args = ([xs[i] for i in diff], [v.value for v in trainable], [v.value for v in non_trainable], xs,
                [jnp.asarray(c) for c in cotangents])
        compiled = {"jit": jax.jit(forward_backward), "eager": forward_backward}  # as Keras's JAX trainer runs
        outs, (grad_xs, grad_values), (state, taps) = adapter.jax_compiled(jax, compiled, *args)
        for v, value in zip(non_trainable, state):
            v.assign(value)
        tapped.clear()
        tapped.update(taps)
        return outs, list(grad_xs) + [grad_values[i] for i in _positions(variables, trainable)]

    def loss_gradients(self, training, xs, targets, variables, loss_of):
        model = training.model
        trainable, non_trainable = model.trainable_variables, model.non_trainable_variables
        block = self.per_block(training.request, "loss gradient")  # compiled once per block: its optimizers share it
        if not block:
            train = training.request.mode == "train"

            def loss(values, state, xs, targets):
                outs, state = stateless(model, values, state, xs, train)
                return loss_of(adapter.leaves(outs), targets), state

            block["eager"] = jax.value_and_grad(loss, has_aux=True)
            block["jit"] = jax.jit(block["eager"])  # as Keras's own JAX trainer runs a step
        args = ([v.value for v in trainable], [v.value for v in non_trainable], xs, targets)
        (value, state), grads = adapter.jax_compiled(jax, block, *args)
        for v, new in zip(non_trainable, state):
            v.assign(new)
        return value, [grads[i] for i in _positions(variables, trainable)]

    def apply_gradients(self, training, pairs):
        optimizer, variables = training.optimizer, [v for _, v in pairs]
        if not optimizer.built:
            optimizer.build(variables)
            training.kept["apply"] = jax.jit(optimizer.stateless_apply)
        values, state = training.kept["apply"]([v.value for v in optimizer.variables], [g for g, _ in pairs],
                                               [v.value for v in variables])
        for v, new in (*zip(variables, values), *zip(optimizer.variables, state)):
            v.assign(new)
