"""Lazy initialisation (d2l §6.4): which parameter shapes each framework knows before the first call.

The adapters' ``shapes_before_call`` builds a realisation without calling it; what each framework does
there is checked here by running it, not taken from its documentation: PyTorch's ``LazyLinear`` holds
``UninitializedParameter``s, an unbuilt Keras layer has no weights, flax has none before ``init``, and
Gluon's ``Dense`` without ``in_units`` knows its bias (units,) but defers its weight (units, 0).
"""

import subprocess

import pytest

import backends
from harness import page, teach
from harness.pool import ROOT

# backend -> {native name: known before the first call} for lazy_mlp, as each framework behaves
LAZY_MLP = {
    "torch": {"0.weight": False, "0.bias": False, "2.weight": False, "2.bias": False},
    "flax": {"params/layers_0/kernel": False, "params/layers_0/bias": False,
             "params/layers_2/kernel": False, "params/layers_2/bias": False},
    "keras": {"layers[0].kernel": False, "layers[0].bias": False,
              "layers[1].kernel": False, "layers[1].bias": False},
    "gluon": {"0.weight": False, "0.bias": True, "1.weight": False, "1.bias": True},
}


def lazy_run(compare):
    run = compare(["lazy_mlp", "init_normal"])
    return run, {(r.spec, r.backend): r for r in run.results}


def known(result) -> dict:
    return {e["native"]: e.get("known_before_call") for e in result.native_params}


@pytest.mark.parametrize("backend", list(LAZY_MLP))
def test_lazy_mlp_passes_and_its_inventory_says_what_was_known_before_the_call(compare, backend):
    run, results = lazy_run(compare)
    r = results.get(("lazy_mlp", backend))
    if r is None or r.status == "skipped":
        pytest.skip(f"{backend} did not run: {r.reason if r else 'absent'}")
    assert r.status == "pass", f"lazy_mlp[{backend}] {r.status}: {r.reason}"
    assert known(r) == LAZY_MLP[backend], f"lazy_mlp[{backend}]: {known(r)} != {LAZY_MLP[backend]}"


def test_an_eager_linear_is_known_before_the_call_in_pytorch(compare):
    run, results = lazy_run(compare)  # init_normal's nn.Linear(4, 8): shapes from the constructor
    r = results[("init_normal", "torch")]
    assert r.status == "pass" and set(known(r).values()) == {True}, known(r)


# Each framework's probe given the input size up front: every shape is known before the call.
EAGER = {
    "keras": "keras.Sequential([keras.Input((20,)), keras.layers.Dense(256, activation='relu'), "
             "keras.layers.Dense(10)])",
    "gluon": "_g()",
}
PROBE = """
import sys
import specs
from harness.adapter import Request
import importlib
a = importlib.import_module('backends.{backend}.adapter').Adapter()
if '{backend}' == 'keras':
    import keras
else:
    from mxnet.gluon import nn
    def _g():
        net = nn.Sequential()
        net.add(nn.Dense(256, activation='relu', in_units=20), nn.Dense(10, in_units=256))
        net.initialize()
        return net
print(sorted(a.shapes_before_call(Request(specs.resolve('lazy_mlp')[0], lambda: {factory}, {{}})).items()))
"""


@pytest.mark.parametrize("backend", list(EAGER))
def test_a_layer_given_its_input_size_is_known_before_the_call(backend):
    python = ROOT / backends.info(backend).ENV / "bin" / "python"
    if not python.exists():
        pytest.skip(f"no {python}")
    code = PROBE.format(backend=backend, factory=EAGER[backend])
    proc = subprocess.run([str(python), "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=300,
                          env={"PYTHONPATH": str(ROOT), "KERAS_BACKEND": "tensorflow", "PATH": "/usr/bin:/bin"})
    assert proc.returncode == 0, proc.stderr[-2000:]
    got = eval(proc.stdout.strip().splitlines()[-1])  # noqa: S307 -- our own script's repr of shapes
    assert len(got) == 4 and all(shape is not None for _, shape in got), got


def test_show_and_the_page_say_which_shapes_are_known_before_the_first_call(compare):
    run, _ = lazy_run(compare)
    block = next(b for b in teach.blocks(run) if b.name == "lazy_mlp")
    text = teach.render(block, run, 400, color=False)
    head = "Parameter shapes known before the first call"
    lines = text.splitlines()
    assert any(line.startswith(head) for line in lines), text
    said = {line.strip().partition(": ")[0]: line.strip().partition(": ")[2]
            for line in lines[next(i for i, x in enumerate(lines) if x.startswith(head)) + 1:] if line.startswith("  ")}
    for b in run.backends:
        r = next(r for r in run.results if r.spec == "lazy_mlp" and r.backend == b)
        if r.status != "pass":
            continue
        label = backends.info(b).LABEL
        want = {"gluon": "2 of 4: 0.bias, 1.bias; only after it: 0.weight, 1.weight",
                "flax_nnx": "all"}.get(b, "none (")  # NNX builds every variable in __init__ (docs/nnx.md)
        assert said.get(label, "").startswith(want), f"{label}: {said.get(label)!r}, expected {want!r}…"
    html = page.before_call_html(block, list(run.backends))
    assert 'data-backend="torch"><b>PyTorch</b>: none (' in html, html
    eager = next(b for b in teach.blocks(run) if b.name == "init_normal")
    torch = teach.before_call(eager).get("torch")
    assert torch == (["0.weight", "0.bias", "2.weight", "2.bias"], []), torch
