"""The conventions the Keras engines' adapters rely on (backends/keras_jax, backends/keras_torch), each
measured by running code in that engine's own worker environment (its ENVIRON, its interpreter), so that a
Keras release that changes one is noticed here, not as a puzzling parity failure. One probe process per
engine measures everything (an import of Keras and its engine is most of the cost); each test reads its part.
"""

import json
import pathlib
import subprocess
import textwrap

import pytest

from harness.pool import interpreter, worker_environ

# What both probes measure: keras.backend.result_type, and the ops that take their compute dtype from it.
OPS = """
    def float64_ops():
        keras.config.set_floatx("float64"); keras.config.set_dtype_policy("float64")
        x, k = np.random.default_rng(0).standard_normal((2, 4, 5)), np.random.default_rng(1).standard_normal((5, 3))
        exact = {"tanh": np.tanh(x), "cos": np.cos(x), "var": x.var(-1), "matmul": x @ k, "dot": x[0] @ k,
                 "exp": np.exp(x), "sum": x.sum(-1), "mean": x.mean(-1)}
        got = {"tanh": ops.tanh(x), "cos": ops.cos(x), "var": ops.var(x, axis=-1), "matmul": ops.matmul(x, k),
               "dot": ops.dot(x[0], k), "exp": ops.exp(x), "sum": ops.sum(x, axis=-1),
               "mean": ops.mean(x, axis=-1)}
        return {"result_type": [keras.backend.result_type("float64"),
                                keras.backend.result_type("float64", "float64")],
                "errors": {n: float(np.max(np.abs(ops.convert_to_numpy(got[n]) - exact[n]) / np.max(np.abs(exact[n]))))
                           for n in exact}}
"""

JAX = OPS + """
    def x64_off():  # first, before x64 is enabled in this process
        keras.config.set_floatx("float64"); keras.config.set_dtype_policy("float64")
        layer = keras.layers.Dense(3)
        y = layer(np.ones((2, 4)))
        return [layer.kernel.dtype, keras.backend.standardize_dtype(y.dtype)]

    def x64_on():
        keras.config.set_floatx("float64"); keras.config.set_dtype_policy("float64")
        layer = keras.layers.Dense(3)
        y = layer(np.ones((2, 4)))
        return [layer.kernel.dtype, keras.backend.standardize_dtype(y.dtype)]

    def stateless_bn():  # stateless_call returns (outputs, new non-trainable values), variables kept
        keras.config.set_floatx("float32"); keras.config.set_dtype_policy("float32")
        bn = keras.layers.BatchNormalization(momentum=0.9)
        x = np.random.default_rng(0).standard_normal((8, 3)).astype("float32")
        bn(x)
        tv, ntv = [v.value for v in bn.trainable_variables], [v.value for v in bn.non_trainable_variables]
        out, new = bn.stateless_call(tv, ntv, x, training=True)
        return {"returned": len(new), "names": [v.name for v in bn.non_trainable_variables],
                "kept": np.asarray(bn.moving_mean).tolist(),
                "moved": (np.asarray(new[0]) - 0.1 * x.mean(0)).tolist()}

    def stateless_training():  # stateless_call calls model.call directly: no training= for a d2l call(self, X)
        class Net(keras.Model):
            def __init__(self):
                super().__init__()
                self.net = keras.Sequential([keras.layers.Dense(4), keras.layers.Dropout(0.5)])
            def call(self, X):
                return self.net(X)
        model, x = Net(), np.ones((16, 4), "float32")
        model(x)
        tv, ntv = [v.value for v in model.trainable_variables], [v.value for v in model.non_trainable_variables]
        try:
            model.stateless_call(tv, ntv, x, training=True)
            refused = False
        except TypeError:
            refused = True
        plain, _ = model.stateless_call(tv, ntv, x)
        mapping = [*zip(model.trainable_variables, tv), *zip(model.non_trainable_variables, ntv)]
        with keras.StatelessScope(state_mapping=mapping):
            scoped = model(x, training=True)
        return {"refused": refused, "plain_equals_eval": bool(np.allclose(plain, model(x))),
                "scoped_zeros": int((np.asarray(scoped) == 0).sum())}

    def simple_rnn_float64():  # the float64 GAP of rnn: tanh's float32 result is scan's carry
        keras.config.set_floatx("float64"); keras.config.set_dtype_policy("float64")
        try:
            keras.layers.SimpleRNN(3)(np.ones((2, 5, 4)))
            return "ran"
        except TypeError as e:
            return str(e)

    import json, keras, numpy as np
    from keras import ops
    found = {"x64_off": x64_off()}
    import jax
    jax.config.update("jax_enable_x64", True)
    found.update(x64_on=x64_on(), ops=float64_ops(), rnn=simple_rnn_float64(), bn=stateless_bn(),
                 training=stateless_training())
    print(json.dumps(found))
"""

TORCH = OPS + """
    def layers_and_grads():
        class Net(keras.Model):
            def __init__(self):
                super().__init__()
                self.hidden = keras.layers.Dense(3)
                self.blks = [keras.layers.Dense(2)]
            def call(self, X):
                return self.blks[0](self.hidden(X))
        keras.config.set_floatx("float32"); keras.config.set_dtype_policy("float32")
        model = Net()
        out = model(np.ones((2, 4), "float32"))
        out.sum().backward()
        k = model.hidden.kernel
        return {"in_dict": sorted(n for n in ("hidden", "blks") if n in vars(model)),
                "in_modules": sorted(n for n in ("hidden", "blks") if n in model._modules),
                "grad": k.value.grad is not None and tuple(k.value.grad.shape) == (4, 3)}

    def float64_dense():
        keras.config.set_floatx("float64"); keras.config.set_dtype_policy("float64")
        layer = keras.layers.Dense(3)
        y = layer(np.ones((2, 4)))
        return [layer.kernel.dtype, str(y.dtype), str(layer.kernel.value.dtype), type(layer.kernel.value).__name__]

    import json, keras, numpy as np, torch
    from keras import ops
    print(json.dumps({"dense": float64_dense(), "ops": float64_ops(), "modules": layers_and_grads()}))
"""


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


@pytest.fixture(scope="module")
def jax_engine(tmp_path_factory):
    return probe("keras_jax", JAX, tmp_path_factory.mktemp("keras_jax"))


@pytest.fixture(scope="module")
def torch_engine(tmp_path_factory):
    return probe("keras_torch", TORCH, tmp_path_factory.mktemp("keras_torch"))


def test_jax_engine_computes_float32_under_a_float64_policy_unless_x64_is_enabled(jax_engine):
    """Why backends/keras_jax/adapter.py enables x64 before Keras makes a variable: without it the
    variables say float64 and every result is float32 (a UserWarning is the only sign)."""
    assert jax_engine["x64_off"] == ["float64", "float32"], jax_engine
    assert jax_engine["x64_on"] == ["float64", "float64"], jax_engine


def test_torch_engine_computes_float64_under_a_float64_policy(torch_engine):
    assert torch_engine["dense"] == ["float64", "torch.float64", "torch.float64", "Parameter"], torch_engine


def test_jax_stateless_call_returns_new_moving_statistics_and_leaves_the_variables(jax_engine):
    """``stateless_call`` returns (outputs, new non-trainable values); BatchNormalization's moving mean
    moves by (1 - momentum) times the batch mean there, and only there."""
    found = jax_engine["bn"]
    assert found["names"] == ["moving_mean", "moving_variance"] and found["returned"] == 2, found
    assert found["kept"] == [0.0, 0.0, 0.0], "stateless_call assigned the variable"
    assert max(map(abs, found["moved"])) < 1e-6, found


def test_jax_stateless_call_gives_no_training_mode_to_layers_inside_a_call_without_training(jax_engine):
    """Why keras_jax differentiates ``model(..., training=...)`` inside a StatelessScope rather than
    ``model.stateless_call``: that calls ``model.call`` directly, so a d2l ``call(self, X)`` refuses
    ``training=`` and, called without it, runs its Dropout in inference mode (Keras's own JAX trainer
    passes ``training`` only to a ``call`` that declares it)."""
    found = jax_engine["training"]
    assert found["refused"], found
    assert found["plain_equals_eval"], "stateless_call without training ran the Dropout"
    assert found["scoped_zeros"] > 0, "model(..., training=True) in a StatelessScope dropped nothing"


def test_torch_engine_keeps_sublayers_in_modules_and_gradients_in_grad(torch_engine):
    """A Keras layer on the torch engine is a torch.nn.Module: an attribute that is a layer lives in
    ``_modules``, not ``__dict__`` (backends/keras/adapter.py ``attributes``), while a list of layers
    stays in ``__dict__``; ``backward`` fills the ``.grad`` of each variable's Parameter."""
    assert torch_engine["modules"] == {"in_dict": ["blks"], "in_modules": ["hidden"], "grad": True}, torch_engine


@pytest.mark.parametrize("engine, float32_ops", [("jax_engine", ["tanh", "cos", "var", "mean"]),
                                                 ("torch_engine", ["matmul", "dot", "var", "mean"])])
def test_result_type_maps_float64_to_float32_and_some_ops_compute_in_it(request, engine, float32_ops):
    """The reason for the engines' float64 TOLERANCES: keras.backend.result_type maps float64 to float32 on
    the JAX and torch engines (with floatx float64, and x64 on for JAX; TensorFlow's keeps float64), and these
    ops take their compute dtype from it (relative error of float32, not of float64)."""
    found = request.getfixturevalue(engine)["ops"]
    assert found["result_type"] == ["float32", "float32"], found
    errors = found["errors"]
    assert sorted(n for n, e in errors.items() if e > 1e-12) == sorted(float32_ops), errors
    assert all(1e-10 < errors[n] < 1e-6 for n in float32_ops), errors


def test_simple_rnn_cannot_run_in_float64_on_the_jax_engine(jax_engine):
    """The reason for keras_jax's GAPS[("rnn", "float64")]: SimpleRNN's tanh returns float32, the state
    jax.lax.scan carries goes in float64 and comes out float32, and scan refuses it."""
    assert "carry" in jax_engine["rnn"], jax_engine["rnn"]


def test_the_default_run_is_the_books_four_and_all_is_every_backend_folder():
    """``--backends all`` is every folder under backends/ (backends.names(): an engine added later joins it),
    a plain run the book's four frameworks, and an engine named alone runs alone."""
    import backends
    from harness.cli.options import parse_backends

    assert parse_backends(None) == backends.defaults() == ["torch", "flax", "keras", "gluon"]
    assert parse_backends("all") == backends.names()
    assert {"keras_jax", "keras_torch"} <= set(backends.names())
    assert parse_backends("keras_jax") == ["keras_jax"]
    for engine in ("keras_jax", "keras_torch"):
        assert backends.realisations(engine) == "keras", engine


def test_a_block_jax_refuses_to_compile_runs_op_by_op_from_then_on():
    """harness.adapter.jax_compiled: Python control flow on a traced value (d2l's FixedHiddenMLP) falls back to
    the eager function, also when the refusal arrives as the cause of another error (Keras's traceback
    filter); any other error is raised, and a compilable block stays compiled."""
    jax = pytest.importorskip("jax")
    from harness.adapter import jax_compiled

    def halve_while_large(x):  # FixedHiddenMLP's loop: a Python while on a value
        while jax.numpy.abs(x).sum() > 1:
            x = x / 2
        return x

    block = {"jit": jax.jit(halve_while_large), "eager": halve_while_large}
    assert float(jax_compiled(jax, block, jax.numpy.float32(8.0))) == 1.0
    assert block["jit"] is halve_while_large, "the eager function serves the block's later requests"

    def wrapped(x):  # the refusal hidden behind another error, as Keras's traceback filter raises it
        try:
            return jax.jit(halve_while_large)(x)
        except jax.errors.ConcretizationTypeError as e:
            raise AttributeError("'str' object has no attribute '_error_repr'") from e

    block = {"jit": wrapped, "eager": halve_while_large}
    assert float(jax_compiled(jax, block, jax.numpy.float32(4.0))) == 1.0

    def broken(x):
        raise ValueError("not a refusal")

    with pytest.raises(ValueError, match="not a refusal"):
        jax_compiled(jax, {"jit": broken, "eager": halve_while_large}, 1.0)
    compiled = jax.jit(lambda x: x * 2)
    block = {"jit": compiled, "eager": None}
    assert float(jax_compiled(jax, block, 2.0)) == 4.0 and block["jit"] is compiled


def test_keras_on_jax_and_on_torch_never_start_tensorflow(pool, compare):
    """Their workers run as where TensorFlow is not installed (backends/keras_jax, backends/keras_torch):
    ``keras.utils.set_random_seed``, which every build calls, would otherwise import TensorFlow to seed it
    (1.7 to 3 CPU seconds at the first build, for nothing those engines compute). Read from the libraries
    each worker has loaded after a build and a run; the Keras (TensorFlow) worker shows that the reading
    finds TensorFlow where it is."""
    run = compare(["dropout"], ["keras", "keras_jax", "keras_torch"])
    assert {r.backend for r in run.results if r.status == "pass"} == {"keras", "keras_jax", "keras_torch"}

    def tensorflow_loaded(backend):
        maps = pathlib.Path(f"/proc/{pool.workers[backend].proc.pid}/maps").read_text()
        return "/site-packages/tensorflow/" in maps

    assert tensorflow_loaded("keras")
    assert not tensorflow_loaded("keras_jax") and not tensorflow_loaded("keras_torch")
