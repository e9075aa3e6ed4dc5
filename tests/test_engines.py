"""The conventions the Keras engines' adapters rely on (backends/keras_jax, backends/keras_torch), each
measured by a small script run in that engine's own worker environment (its ENVIRON, its interpreter),
so that a Keras release that changes one is noticed here, not as a puzzling parity failure.
"""

import json
import subprocess
import textwrap

import pytest

from harness.pool import interpreter, worker_environ


def probe(backend: str, script: str, tmp_path) -> dict:
    """Run ``script`` (which prints one JSON object last) in ``backend``'s worker environment."""
    python = interpreter(backend)
    if not python.exists():
        pytest.skip(f"{backend}: no interpreter at {python}")
    env, _ = worker_environ(backend, tmp_path)
    (tmp_path / "tmp").mkdir(exist_ok=True)
    done = subprocess.run([str(python), "-c", textwrap.dedent(script)], env=env, capture_output=True, text=True,
                          timeout=300, cwd=tmp_path)
    assert done.returncode == 0, f"{backend} probe failed:\n{done.stderr[-3000:]}"
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_jax_engine_computes_float32_under_a_float64_policy_unless_x64_is_enabled(tmp_path):
    """Why backends/keras_jax/adapter.py enables x64 before Keras makes a variable: without it the
    variables say float64 and every result is float32 (a UserWarning is the only sign)."""
    found = probe("keras_jax", """
        import json, sys, keras, numpy as np
        def run():
            keras.config.set_floatx("float64"); keras.config.set_dtype_policy("float64")
            layer = keras.layers.Dense(3)
            y = layer(np.ones((2, 4)))
            return [layer.kernel.dtype, keras.backend.standardize_dtype(y.dtype)]
        without = run()
        import jax
        jax.config.update("jax_enable_x64", True)
        print(json.dumps({"without": without, "with": run(), "env_x64": jax.config.jax_enable_x64}))
    """, tmp_path)
    assert found["without"] == ["float64", "float32"], found
    assert found["with"] == ["float64", "float64"], found


def test_torch_engine_computes_float64_under_a_float64_policy(tmp_path):
    found = probe("keras_torch", """
        import json, keras, numpy as np, torch
        keras.config.set_floatx("float64"); keras.config.set_dtype_policy("float64")
        layer = keras.layers.Dense(3)
        y = layer(np.ones((2, 4)))
        print(json.dumps([layer.kernel.dtype, str(y.dtype), str(layer.kernel.value.dtype),
                          type(layer.kernel.value).__name__]))
    """, tmp_path)
    assert found == ["float64", "torch.float64", "torch.float64", "Parameter"], found


def test_jax_stateless_call_returns_new_moving_statistics_and_leaves_the_variables(tmp_path):
    """``stateless_call`` returns (outputs, new non-trainable values); BatchNormalization's moving mean
    moves by (1 - momentum) times the batch mean there, and only there."""
    found = probe("keras_jax", """
        import json, keras, numpy as np
        bn = keras.layers.BatchNormalization(momentum=0.9)
        x = np.random.default_rng(0).standard_normal((8, 3)).astype("float32")
        bn(x)
        tv = [v.value for v in bn.trainable_variables]
        ntv = [v.value for v in bn.non_trainable_variables]
        out, new = bn.stateless_call(tv, ntv, x, training=True)
        print(json.dumps({"returned": len(new), "names": [v.name for v in bn.non_trainable_variables],
                          "kept": np.asarray(bn.moving_mean).tolist(),
                          "moved": (np.asarray(new[0]) - 0.1 * x.mean(0)).tolist()}))
    """, tmp_path)
    assert found["names"] == ["moving_mean", "moving_variance"] and found["returned"] == 2, found
    assert found["kept"] == [0.0, 0.0, 0.0], "stateless_call assigned the variable"
    assert max(map(abs, found["moved"])) < 1e-6, found


def test_jax_stateless_call_gives_no_training_mode_to_layers_inside_a_call_without_training(tmp_path):
    """Why keras_jax differentiates ``model(..., training=...)`` inside a StatelessScope rather than
    ``model.stateless_call``: that calls ``model.call`` directly, so a d2l ``call(self, X)`` refuses
    ``training=`` and, called without it, runs its Dropout in inference mode (Keras's own JAX trainer
    passes ``training`` only to a ``call`` that declares it)."""
    found = probe("keras_jax", """
        import json, keras, numpy as np
        class Net(keras.Model):
            def __init__(self):
                super().__init__()
                self.net = keras.Sequential([keras.layers.Dense(4), keras.layers.Dropout(0.5)])
            def call(self, X):
                return self.net(X)
        model, x = Net(), np.ones((16, 4), "float32")
        model(x)
        tv = [v.value for v in model.trainable_variables]
        ntv = [v.value for v in model.non_trainable_variables]
        try:
            model.stateless_call(tv, ntv, x, training=True)
            refused = False
        except TypeError:
            refused = True
        plain, _ = model.stateless_call(tv, ntv, x)
        mapping = [*zip(model.trainable_variables, tv), *zip(model.non_trainable_variables, ntv)]
        with keras.StatelessScope(state_mapping=mapping):
            scoped = model(x, training=True)
        print(json.dumps({"refused": refused, "plain_equals_eval": bool(np.allclose(plain, model(x))),
                          "scoped_zeros": int((np.asarray(scoped) == 0).sum())}))
    """, tmp_path)
    assert found["refused"], found
    assert found["plain_equals_eval"], "stateless_call without training ran the Dropout"
    assert found["scoped_zeros"] > 0, "model(..., training=True) in a StatelessScope dropped nothing"


def test_torch_engine_keeps_sublayers_in_modules_and_gradients_in_grad(tmp_path):
    """A Keras layer on the torch engine is a torch.nn.Module: an attribute that is a layer lives in
    ``_modules``, not ``__dict__`` (backends/keras/adapter.py ``attributes``), while a list of layers
    stays in ``__dict__``; ``backward`` fills the ``.grad`` of each variable's Parameter."""
    found = probe("keras_torch", """
        import json, keras, numpy as np, torch
        class Net(keras.Model):
            def __init__(self):
                super().__init__()
                self.hidden = keras.layers.Dense(3)
                self.blks = [keras.layers.Dense(2)]
            def call(self, X):
                return self.blks[0](self.hidden(X))
        model = Net()
        out = model(np.ones((2, 4), "float32"))
        out.sum().backward()
        k = model.hidden.kernel
        print(json.dumps({"in_dict": sorted(n for n in ("hidden", "blks") if n in vars(model)),
                          "in_modules": sorted(n for n in ("hidden", "blks") if n in model._modules),
                          "grad": k.value.grad is not None and tuple(k.value.grad.shape) == (4, 3)}))
    """, tmp_path)
    assert found == {"in_dict": ["blks"], "in_modules": ["hidden"], "grad": True}, found


@pytest.mark.parametrize("backend, float32_ops", [("keras_jax", ["tanh", "cos", "var", "mean"]),
                                                  ("keras_torch", ["matmul", "dot", "var", "mean"])])
def test_some_keras_ops_compute_float64_in_float32_on_the_jax_and_torch_engines(tmp_path, backend, float32_ops):
    """The reason for the engines' float64 TOLERANCES: keras.backend.result_type maps float64 to float32, and
    these ops take their compute dtype from it (relative error of float32, not of float64)."""
    found = probe(backend, """
        import json, keras, numpy as np
        from keras import ops
        if keras.backend.backend() == "jax":
            import jax
            jax.config.update("jax_enable_x64", True)
        keras.config.set_floatx("float64")
        x, k = np.random.default_rng(0).standard_normal((2, 4, 5)), np.random.default_rng(1).standard_normal((5, 3))
        exact = {"tanh": np.tanh(x), "cos": np.cos(x), "var": x.var(-1), "matmul": x @ k, "dot": x[0] @ k,
                 "exp": np.exp(x), "sum": x.sum(-1), "mean": x.mean(-1)}
        got = {"tanh": ops.tanh(x), "cos": ops.cos(x), "var": ops.var(x, axis=-1), "matmul": ops.matmul(x, k),
               "dot": ops.dot(x[0], k), "exp": ops.exp(x), "sum": ops.sum(x, axis=-1),
               "mean": ops.mean(x, axis=-1)}
        print(json.dumps({n: float(np.max(np.abs(ops.convert_to_numpy(got[n]) - exact[n]) / np.max(np.abs(exact[n]))))
                          for n in exact}))
    """, tmp_path)
    assert sorted(n for n, e in found.items() if e > 1e-12) == sorted(float32_ops), found
    assert all(1e-10 < found[n] < 1e-6 for n in float32_ops), found
