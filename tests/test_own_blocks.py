"""A user's own block folder (``--blocks DIR``, ``BLOCKPARITY_BLOCKS``; docs/own-blocks.md), end to end.

The folders under tests/ are what a user writes: ``user_blocks`` (torch, flax and keras realisations; one
block with a NumPy reference, one with ``reference="torch"`` and a detached variant) and
``user_blocks_flax`` (flax code that JAX's 64-bit mode broke in float32 runs). Commands run as
subprocesses: ``--blocks`` changes the environment that workers inherit, which must not leak into the
other tests' shared workers. Bad folders are written per test under ``tmp_path``.
"""

import json
import os
import pathlib
import subprocess
import sys

import pytest

import specs
from harness import userblocks

ROOT = pathlib.Path(__file__).resolve().parent.parent
BLOCKS = ROOT / "tests" / "user_blocks"
FLAX_BLOCKS = ROOT / "tests" / "user_blocks_flax"


def cli(*args, env=None, timeout=300):
    environ = {k: v for k, v in os.environ.items() if k != userblocks.ENV}
    return subprocess.run([sys.executable, "compare.py", *args], cwd=ROOT, capture_output=True, text=True,
                          env={**environ, **(env or {})}, timeout=timeout)


def results(path) -> dict:
    return {(r["spec"], r["backend"]): r for r in json.loads(pathlib.Path(path).read_text())["results"]}


def test_user_blocks_are_compared_in_the_frameworks_that_realise_them(tmp_path):
    out = tmp_path / "run.json"
    p = cli("user_tanh_mlp", "user_softplus_mlp", "--blocks", str(BLOCKS), "--quiet", "--no-color",
            "--json", str(out))
    assert p.returncode == 0, p.stdout + p.stderr
    got = results(out)
    for name in ("user_tanh_mlp", "user_softplus_mlp"):
        for b in ("torch", "flax", "keras"):
            assert got[(name, b)]["status"] == "pass", got[(name, b)]
            fd = [c.get("fd_rel_err") for c in got[(name, b)]["checks"] if c["quantity"].startswith("grad:")]
            assert fd and all(e is not None for e in fd), f"{name}[{b}]: no directional check in {fd}"
        assert got[(name, "gluon")]["status"] == "skipped"
        assert got[(name, "gluon")]["reason"] == "no realisation in tests/user_blocks"
    assert got[("user_tanh_mlp", "flax")]["reference"] == "the spec's float64 NumPy reference"
    assert got[("user_softplus_mlp", "flax")]["reference"] == "the PyTorch realisation in float64"
    assert "reference: the PyTorch realisation in float64 for user_softplus_mlp" in p.stdout


def test_torch_reference_checks_gradients_without_torch_in_the_run(tmp_path):
    """The detached variant, in flax alone: the torch worker still computes the reference, and the
    directional check against its float64 losses catches the zero gradient."""
    out = tmp_path / "run.json"
    p = cli("user_softplus_mlp_detached", "--blocks", str(BLOCKS), "--backends", "flax", "--quiet", "--json",
            str(out))
    assert p.returncode == 1, p.stdout + p.stderr
    r = results(out)[("user_softplus_mlp_detached", "flax")]
    failing = {c["quantity"]: c for c in r["checks"] if not c["passed"]}
    assert {"grad:hidden.weight", "grad:hidden.bias"} <= set(failing), r["checks"]
    assert failing["grad:hidden.weight"]["fd_rel_err"] > 0.5
    assert r["first_divergence"]["tap"] == "hidden.weight"


def test_flax_runs_user_code_in_float32_as_its_own_process_would():
    """JAX's 64-bit mode is on for float64 requests only (jax 0.10.2: ``jax.config.update`` per request).
    With it on in float32, ``nn.RNN`` without a carry failed ("carry types differ") and
    ``nn.avg_pool(count_include_pad=False)`` returned float64. In float64, ``nn.RNN`` without a carry
    cannot run: its carry is made in the cell's param_dtype (float32), docs/own-blocks.md."""
    names = ("user_rnn_no_carry", "user_avg_pool_no_pad", "--blocks", str(FLAX_BLOCKS), "--backends", "flax",
             "--quiet", "--no-color")
    p = cli(*names)
    assert p.returncode == 0, p.stdout + p.stderr
    p = cli(*names, "--dtype", "float64")
    assert p.returncode == 1, p.stdout + p.stderr
    row = {line.split()[0]: line for line in p.stdout.splitlines() if line.startswith("user_")}
    assert "✓" in row["user_avg_pool_no_pad"]
    assert "error" in row["user_rnn_no_carry"] and "carry" in p.stdout


def test_every_command_takes_blocks_from_the_environment(tmp_path):
    env = {userblocks.ENV: "tests/user_blocks"}  # relative: made absolute before the workers start
    p = cli("list", env=env)
    assert p.returncode == 0 and "user_softplus_mlp_detached" in p.stdout, p.stdout + p.stderr
    md = tmp_path / "page.md"
    p = cli("report", "--md", str(md), "user_softplus_mlp", "--backends", "torch,keras", "--quiet", env=env)
    assert p.returncode == 0, p.stdout + p.stderr
    assert "The reference: the PyTorch realisation in float64" in md.read_text()
    p = cli("train", "user_softplus_mlp", "user_tanh_mlp", "--backends", "torch,flax", "--optimizer", "sgd",
            "--steps", "1", "--quiet", "--no-color", env=env)
    assert p.returncode == 0, p.stdout + p.stderr
    assert "training needs a NumPy reference" in p.stdout


def test_pytest_option_adds_parity_cases_at_collection():
    p = subprocess.run([sys.executable, "-m", "pytest", "tests/test_parity.py", "--blocks", "tests/user_blocks",
                        "--collect-only", "-q"], cwd=ROOT, capture_output=True, text=True, timeout=300,
                       env={k: v for k, v in os.environ.items() if k != userblocks.ENV})
    assert p.returncode == 0, p.stdout + p.stderr
    for case in ("user_tanh_mlp-keras-float64", "user_softplus_mlp-flax-float32", "user_tanh_mlp-gluon-float32"):
        assert f"test_block_agrees[{case}]" in p.stdout, p.stdout[-2000:]


def test_user_file_named_like_ours_does_not_shadow_ours(tmp_path):
    (tmp_path / "specs").mkdir()
    (tmp_path / "backends" / "torch").mkdir(parents=True)
    (tmp_path / "specs" / "mlp.py").write_text(
        "from harness.spec import Input, Spec\n"
        "SPEC = Spec(name='their_mlp', model='MLP', inputs={'x': Input((2, 3))}, reference=lambda x, p, c: x)\n")
    (tmp_path / "backends" / "torch" / "mlp.py").write_text("class MLP:\n    pass\n")
    (theirs,) = userblocks.load(tmp_path)
    assert (theirs.module, theirs.origin, theirs.title, theirs.section) == ("mlp", str(tmp_path), "their_mlp",
                                                                            "user block")
    assert specs.resolve("mlp")[0].origin == "" and "their_mlp" not in specs.names()
    assert userblocks.import_realisation(theirs, "torch").__name__ != "backends.torch.mlp"
    assert userblocks.gap(theirs, "flax") == f"no realisation in {tmp_path}"


SPEC_OK = ("from harness.spec import Input, Spec\n"
           "SPEC = Spec(name='{name}', model='Block', inputs={{'x': Input((2, 3))}}, reference={reference})\n")
BAD = {  # case -> ({file: text}, what the one line must say)
    "no folder": (None, "no such folder"),
    "no specs": ({"backends/torch/block.py": "class Block: pass\n"}, "no specs in"),
    "no SPEC": ({"specs/block.py": "X = 1\n"}, "specs/block.py: defines neither SPEC nor SPECS"),
    "import fails": ({"specs/block.py": "import no_such_module_here\n"},
                     "specs/block.py: does not import: ModuleNotFoundError"),
    "class missing": ({"specs/block.py": SPEC_OK.format(name="b1", reference="lambda x, p, c: x"),
                       "backends/keras/block.py": "class Other: pass\n"},
                      "backends/keras/block.py: defines no 'Block'"),
    "name clash": ({"specs/block.py": SPEC_OK.format(name="mlp", reference="lambda x, p, c: x")},
                   "specs/block.py: block name 'mlp' is already taken (a built-in block: mlp)"),
    "torch reference without torch": ({"specs/block.py": SPEC_OK.format(name="b2", reference="'torch'")},
                                      "reference='torch', but"),
}


@pytest.mark.parametrize("case", list(BAD))
def test_bad_block_folder_is_one_line_and_exit_2(tmp_path, case):
    files, said = BAD[case]
    folder = tmp_path / "mine"
    for name, text in (files or {}).items():
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        (folder / name).write_text(text)
    for args, env in ((("list", "--blocks", str(folder)), None), (("mlp",), {userblocks.ENV: str(folder)})):
        p = cli(*args, env=env, timeout=60)
        assert p.returncode == 2, p.stdout + p.stderr
        assert p.stdout == "" and len(p.stderr.strip().splitlines()) == 1, p.stderr
        assert said in p.stderr and str(folder) in p.stderr, p.stderr
