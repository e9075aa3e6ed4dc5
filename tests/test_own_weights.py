"""The user's own weights and inputs (--params, --inputs) and a framework's own checkpoint (--native): every
known conversion mistake, made in each framework's own file, is named exactly; bad files are one line,
exit 2, before any worker starts, and a pickle is never unpickled."""

import os
import pickle
import subprocess
import sys

import numpy as np
import pytest

import backends
import specs
from harness import diagnose, native
from harness.cli import main
from harness.data import make_case
from harness.pool import ROOT
from harness.protocol import save_arrays

EXT = {"torch": ".pt", "flax": ".msgpack", "keras": ".weights.h5", "gluon": ".params"}

# (block, framework, "<mistake>.<detail>"): each construct in each framework that has it
MISTAKES = [
    *[("mlp", fw, "kernel_reshaped.") for fw in ("torch", "flax", "keras", "gluon")],
    *[("lenet", fw, "kernel_reshaped.") for fw in ("flax", "keras")],  # conv, and the flattened Dense
    ("lenet", "keras", "conv_kernel_flipped."),
    ("lenet", "torch", "conv_kernel_flipped."),
    *[("lenet", fw, "flatten_rows_unpermuted.") for fw in ("torch", "flax", "keras", "gluon")],
    *[("gru", fw, "gate_order_gru.z-r-n") for fw in ("torch", "flax", "keras", "gluon")],
    *[("lstm", fw, "gate_order_lstm.i-f-o-g") for fw in ("torch", "flax", "keras", "gluon")],
    *[("lstm", fw, "bias_hh_dropped.") for fw in ("torch", "flax", "keras", "gluon")],  # one bias and two
    ("gru", "keras", "bias_sum_in_both."),
    ("gru", "torch", "bias_split_differently."),
]


def _case_file(tmp_path, name):
    spec = specs.resolve(name)[0]
    case = make_case(spec, 0, "float32")
    path = tmp_path / f"{name}.npz"
    save_arrays(path, case.arrays())
    return spec, case, path


@pytest.mark.parametrize("name, fw, made", MISTAKES, ids=[f"{n}-{fw}-{m.rstrip('.')}" for n, fw, m in MISTAKES])
def test_a_conversion_mistake_in_a_frameworks_own_file_is_named(pool, tmp_path, name, fw, made):
    spec, case, arrays = _case_file(tmp_path, name)
    path = tmp_path / f"made{EXT[fw]}"
    write = {"op": "native", "write": True, "mistake": made, "spec": name, "dtype": "float32", "mode": "eval",
             "seed": 0, "arrays": str(arrays), "out": str(tmp_path / "w.npz"), "native": str(path)}
    reply = pool.run({fw: [write]})[(fw, 0)]
    assert reply.status == "ok", reply.reason
    got = native.ask(pool, name, fw, str(path), arrays, tmp_path / "r.npz", "float32", "eval", 0)
    assert not isinstance(got, str), got
    verdicts = diagnose.judge({**case.params, **case.constants, **case.state}, *got)
    wrong = [v for v in verdicts if not v.equal]
    mistake, _, detail = made.partition(".")
    assert wrong, f"{made} in {fw}'s file changed no parameter of {name}"
    for v in wrong:
        assert (mistake, detail.replace("-", ", ")) in v.explained_by, (
            f"{name}[{fw}] {v.name}: made {made}, explained by {v.explained_by}")


def test_a_right_file_equals_the_canonical_weights_in_every_framework(pool, tmp_path):
    spec, case, arrays = _case_file(tmp_path, "lstm")
    for fw in ("torch", "flax", "keras", "gluon"):
        path = tmp_path / f"right{EXT[fw]}"
        write = {"op": "native", "write": True, "spec": "lstm", "dtype": "float32", "mode": "eval", "seed": 0,
                 "arrays": str(arrays), "out": str(tmp_path / "w.npz"), "native": str(path)}
        assert pool.run({fw: [write]})[(fw, 0)].status == "ok"
        found, hyps = native.ask(pool, "lstm", fw, str(path), arrays, tmp_path / "r.npz", "float32", "eval", 0)
        verdicts = diagnose.judge(case.params, found, hyps)
        assert len(verdicts) == len(spec.params) and all(v.equal for v in verdicts), (fw, verdicts)


def test_an_unknown_difference_says_no_known_mistake_explains_it():
    rng = np.random.default_rng(0)
    want = {"w": rng.standard_normal((3, 4))}
    verdicts = diagnose.judge(want, {"w": want["w"] + 1.0}, {"kernel_reshaped.": {"w": want["w"].T.reshape(3, 4)}})
    assert not verdicts[0].equal and not verdicts[0].explained_by
    assert "no known mistake explains it" in "\n".join(diagnose.render("keras", "f", "x", verdicts))


# --- bad input: one line naming the file, exit 2, before any worker starts --------------------------------
class Unpickled:
    def __reduce__(self):
        return (open, (os.environ["MARKER"], "w"))  # unpickling would create the marker file


def _bad_files(tmp_path):
    spec = specs.resolve("mlp")[0]
    right = {k: np.zeros(p.shape, np.float32) for k, p in spec.params.items()}
    files = {}

    def npz(name, arrays):
        files[name] = tmp_path / f"{name}.npz"
        np.savez(files[name], **arrays)

    files["pickle"] = tmp_path / "w.pkl"
    files["pickle"].write_bytes(pickle.dumps(Unpickled()))
    files["pickle_pt"] = tmp_path / "w.pt"
    files["pickle_pt"].write_bytes(pickle.dumps({"hidden.weight": Unpickled()}, protocol=2))
    files["pickle_npz"] = tmp_path / "p.npz"
    files["pickle_npz"].write_bytes(pickle.dumps(Unpickled()))
    npz("object_npz", {**right, "hidden.weight": np.array([Unpickled()], dtype=object)})
    from safetensors.numpy import save_file

    files["truncated"] = tmp_path / "t.safetensors"
    save_file(right, str(files["truncated"]))
    files["truncated"].write_bytes(files["truncated"].read_bytes()[:-40])
    npz("nan", {**right, "out.bias": np.full(10, np.nan, np.float32)})
    npz("ints", {**right, "out.bias": np.zeros(10, np.int64)})
    npz("names", {**{k: v for k, v in right.items() if k != "out.bias"}, "out.b": right["out.bias"],
                  "hidden.weight": np.zeros((3, 3), np.float32)})
    npz("inputs_bad", {"x": np.zeros((7, 7), np.float32), "y": np.zeros(1, np.float32)})
    files["other_ext"] = tmp_path / "w.json"
    files["other_ext"].write_text("{}")
    return files


BAD = [
    (["--params", "{pickle}"], "{pickle}: is a pickle, which can run code when read: refused, never unpickled"),
    (["--params", "{pickle_pt}"], "{pickle_pt}: is not a PyTorch checkpoint that torch.load(weights_only=True) "
                                  "accepts"),
    (["--params", "{pickle_npz}"], "{pickle_npz}: holds pickled objects: refused, never unpickled"),
    (["--params", "{object_npz}"], "{object_npz}: holds pickled objects: refused, never unpickled"),
    (["--params", "{truncated}"], "{truncated}: is not a readable .safetensors file"),
    (["--params", "{nan}"], "{nan}: holds NaN or infinite values in out.bias"),
    (["--params", "{ints}"], "{ints}: does not match mlp's state_dict: not floating-point out.bias (int64)"),
    (["--params", "{names}"], "{names}: does not match mlp's state_dict: missing out.bias; unexpected "
                              "out.b; wrong shape hidden.weight (3, 3) (expected (256, 20))"),
    (["--params", "{other_ext}"], "{other_ext}: cannot read .json. Expected .safetensors, .npz or a PyTorch"),
    (["--params", "{tmp}/absent.npz"], "{tmp}/absent.npz: does not exist"),
    (["--inputs", "{inputs_bad}"], "{inputs_bad}: does not match mlp's inputs (x): unexpected y; wrong shape x "
                                   "(7, 7) (expected (2, 20))"),
    (["--native", "tf={pickle}"],
     "unknown framework in --native 'tf'. Expected one of: " + ", ".join(backends.names())),
    (["--native", "keras={tmp}/absent.weights.h5"], "{tmp}/absent.weights.h5: does not exist (--native keras)"),
    (["--native", "keras={object_npz}"], "{object_npz}: keras cannot read this file (model.load_weights(path)). "
                                         "Expected a file ending in .weights.h5"),
    (["--native", "gluon={pickle}"], "{pickle}: gluon cannot read this file"),
]


@pytest.mark.parametrize("args, needle", BAD, ids=[f"{a[0]}-{a[1].strip('{}').split('}')[0]}" for a, _ in BAD])
def test_a_bad_file_is_one_line_exit_2_before_any_worker_starts(tmp_path, monkeypatch, capsys, args, needle):
    marker = tmp_path / "unpickled"
    monkeypatch.setenv("MARKER", str(marker))
    files = {k: str(v) for k, v in _bad_files(tmp_path).items()}
    import harness.cli.compare as compare

    def no_workers(*a, **k):
        raise AssertionError("a worker was started")

    monkeypatch.setattr(compare, "session", no_workers)
    status = main(["mlp", *[a.format(tmp=tmp_path, **files) for a in args], "--quiet"])
    err = capsys.readouterr().err
    assert status == 2 and len(err.strip().splitlines()) == 1, err
    assert needle.format(tmp=tmp_path, **files) in err, err
    assert not marker.exists(), "a file was unpickled"


def test_own_files_need_exactly_one_block(capsys):
    assert main(["mlp", "lenet", "--params", "x.npz", "--quiet"]) == 2
    assert "--params need exactly one block" in capsys.readouterr().err


# --- the user's weights and inputs reach the reference and every backend; the example runs ----------------
def test_given_weights_and_inputs_replace_the_drawn_ones_rounded_to_the_dtype():
    spec = specs.resolve("mlp")[0]
    w = np.full(spec.params["out.bias"].shape, 1 / 3)
    x = np.ones(spec.inputs["x"].shape)
    case = make_case(spec, 0, "float32", given={"param:out.bias": w, "input:x": x})
    assert case.params["out.bias"].dtype == np.float32 and np.all(case.params["out.bias"] == np.float32(1 / 3))
    drawn = make_case(spec, 0, "float32")
    assert np.all(case.inputs["x"] == 1) and np.array_equal(case.params["hidden.weight"], drawn.params["hidden.weight"])
    assert not np.allclose(case.outputs["output"], drawn.outputs["output"])


def test_the_example_diagnoses_its_keras_checkpoint_end_to_end():
    folder = "examples/squeeze_excitation"
    proc = subprocess.run([sys.executable, "compare.py", "squeeze_excitation", "--blocks", folder, "--backends",
                           "torch,flax,keras", "--params", f"{folder}/weights.safetensors", "--native",
                           f"keras={folder}/converted.weights.h5", "--quiet", "--no-color"],
                          cwd=ROOT, capture_output=True, text=True, timeout=600)
    out = proc.stdout
    assert proc.returncode == 1, out + proc.stderr
    assert "excite.0.weight max|Δ|" in out and "— kernel_reshaped" in out, out
    assert "first divergence at excite.0" in out, out
