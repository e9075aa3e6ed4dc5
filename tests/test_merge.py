"""``compare.py merge``: runs made apart (one framework or one shard each) merge into the report one run
gives, recomputed from their dumps without any framework; parts that cannot be merged are refused in one
line. ``--shard i/n``: a deterministic, cost-balanced split that covers every block exactly once."""

import json
import os
import pathlib
import shutil
import subprocess
import sys

import numpy as np
import pytest

import backends
import specs
from harness import dump, shard
from harness.merge import MergeError, merge
from harness.pool import ROOT
from harness.protocol import load_arrays
from harness.run import compare_backends
from tests.conftest import cli

# Small, and between them: a pass, a gradient cut out of autograd (localised backward), a wrong activation in
# two frameworks (localised forward, from the dumped taps), two modes with state and a one-framework mistake.
BLOCKS = ["mlp", "my_linear_data_attr", "gelu_mlp_tanh", "batch_norm_unbiased_var"]
FRAMEWORKS = ["torch", "flax", "keras", "gluon"]


def verdicts(run) -> dict:
    """Everything a run concludes, timings aside: (spec, backend) -> status, reason, checks, localisation."""
    return {(r.spec, r.backend): {**r.as_json(), "seconds": None, "tolerance": r.tolerance} for r in run.results}


@pytest.fixture(scope="module")
def runs(pool, tmp_path_factory):
    """One run of BLOCKS on every framework, the same split by framework and into four shards, all dumped."""
    root = tmp_path_factory.mktemp("merge")
    meta = {"selection": BLOCKS}
    whole = compare_backends(pool, BLOCKS, FRAMEWORKS, dump=root / "whole", meta=meta)
    for b in FRAMEWORKS:
        compare_backends(pool, BLOCKS, [b], dump=root / f"fw-{b}", meta=meta)
    for i in range(1, 5):
        compare_backends(pool, shard.select(BLOCKS, i, 4), FRAMEWORKS, dump=root / f"shard-{i}",
                         meta={**meta, "shard": f"{i}/4"})
    return root, whole


def parts(root, kind):
    return sorted(str(p) for p in root.glob(f"{kind}-*"))


def test_the_dump_alone_gives_the_run_s_own_verdicts(runs):
    root, whole = runs
    assert verdicts(merge([root / "whole"])) == verdicts(whole)


@pytest.mark.parametrize("kind", ["fw", "shard"], ids=["by-framework", "by-shard"])
def test_parts_merge_into_the_report_of_one_run(runs, kind):
    root, whole = runs
    for d in parts(root, kind):  # the workers answered the parts as they answered the whole run
        for f in pathlib.Path(d).rglob("*.npz"):
            same = load_arrays(root / "whole" / f.relative_to(d))
            got = load_arrays(f)
            assert got.keys() == same.keys() and all(np.array_equal(got[k], same[k]) for k in got), f
    merged = merge(parts(root, kind))
    assert merged.backends == whole.backends and [r.spec for r in merged.results] == [r.spec for r in whole.results]
    assert verdicts(merged) == verdicts(whole)
    statuses = {(r.spec, r.backend): r.status for r in merged.results}
    assert statuses[("gelu_mlp_tanh", "flax")] == "fail" and statuses[("mlp", "gluon")] == "pass", statuses
    located = {r.backend: r.first_divergence["tap"] for r in merged.results if r.spec == "gelu_mlp_tanh"
               and r.first_divergence}
    assert located == {"flax": "output", "keras": "output"}, located  # past the tap "hidden", which agrees


def test_a_framework_alone_is_judged_by_the_reference_but_merged_by_the_consensus(runs):
    """A part of one framework has no cross-framework vote; merged, every gradient is voted on again."""
    root, _ = runs
    alone = json.loads((root / "fw-torch" / dump.MANIFEST).read_text())
    assert alone["backends"] == ["torch"] and alone["selection"] == BLOCKS
    voted = {r.backend: r for r in merge([root / "fw-torch"]).results if r.spec == "mlp"}
    assert any(c.note.startswith("one backend") for c in voted["torch"].checks), voted
    voted = {r.backend: r for r in merge(parts(root, "fw")).results if r.spec == "mlp"}
    assert set(voted) == set(FRAMEWORKS) and not any(c.note for r in voted.values() for c in r.checks), voted


def tampered(root, tmp_path, kind, change):
    out = []
    for i, d in enumerate(parts(root, kind)):
        copy = tmp_path / f"{kind}-{i}"
        shutil.copytree(d, copy)
        if i == 1:
            m = json.loads((copy / dump.MANIFEST).read_text())
            change(m)
            (copy / dump.MANIFEST).write_text(json.dumps(m))
        out.append(str(copy))
    return out


def _set(key, value):
    return lambda m: m.__setitem__(key, value)


@pytest.mark.parametrize("change, needle", [
    (_set("seed", 1), "the runs differ in seed: 0"),
    (_set("dtype", "float64"), "the runs differ in dtype"),
    (_set("blockparity", "0.0.9"), "the runs differ in blockparity version"),
    (lambda m: m["files"].__setitem__("params", "ab" * 32), "the runs differ in --params/--inputs files"),
    (lambda m: m["blocks"]["mlp"].__setitem__("digest", "0" * 64), "block 'mlp' was defined differently there"),
    (lambda m: m["versions"].__setitem__("flax", "0.0.1"), "the runs ran different versions of flax"),
    (lambda m: m["answers"][0].__setitem__("status", "interrupted"), "that run was interrupted"),
], ids=["seed", "dtype", "version", "files", "spec", "framework-version", "interrupted"])
def test_parts_that_differ_are_refused(runs, tmp_path, change, needle):
    root, _ = runs
    with pytest.raises(MergeError) as e:
        merge(tampered(root, tmp_path, "fw", change))
    assert needle in str(e.value) and "\n" not in str(e.value), e.value


def test_overlapping_and_missing_parts_are_refused(runs):
    root, _ = runs
    with pytest.raises(MergeError, match="both ran mlp x torch"):
        merge([root / "whole", root / "fw-torch"])
    with pytest.raises(MergeError, match=r"which no part ran \(it is shard .*is another shard missing\?\)"):
        merge(parts(root, "shard")[:3])
    with pytest.raises(MergeError, match="neither a --dump folder nor"):
        merge([root / "whole" / "mlp" / "inputs.npz"])


def merge_alone(*args) -> tuple:
    """``compare.py merge *args`` in a fresh interpreter whose process creation is disabled: (its exit status,
    the non-standard top-level modules it imported, its output)."""
    code = ("import subprocess, sys\n"
            "def refuse(*a, **k): raise AssertionError('merge tried to start a process')\n"
            "subprocess.Popen.__init__ = refuse\n"
            "from harness.cli import main\n"
            f"rc = main(['merge', *{list(map(str, args))!r}])\n"
            "top = {m.split('.')[0] for m in sys.modules} - set(sys.stdlib_module_names)\n"
            "print(sorted(top - {'__main__', '_distutils_hack', 'cython_runtime'}\n"
            "             - {m for m in top if m.startswith('_cython')}))\n"
            "sys.exit(rc)\n")
    proc = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=300)
    return proc.returncode, proc.stdout.strip().splitlines()[-1:], proc.stdout + proc.stderr


def test_merge_needs_no_framework_and_starts_no_worker(runs, tmp_path):
    """In a fresh interpreter with process creation disabled: the merge runs, and imports NumPy and the
    project's own modules only (Pygments for --html), no framework."""
    root, _ = runs
    rc, modules, out = merge_alone(*parts(root, "fw"), "--json", tmp_path / "m.json", "--html", tmp_path / "m.html")
    assert rc == 1, out  # the variants fail
    assert modules == ["['backends', 'harness', 'numpy', 'pygments', 'specs']"], out
    doc = json.loads((tmp_path / "m.json").read_text())
    assert doc["verdict"] == "FAILED" and len(doc["merged"]) == 4
    assert "gelu_mlp_tanh" in (tmp_path / "m.html").read_text()


def test_a_refusal_is_one_line_and_exit_2(runs):
    root, _ = runs
    proc = cli("merge", str(root / "whole"), str(root / "fw-torch"))
    assert proc.returncode == 2 and len(proc.stderr.strip().splitlines()) == 1, proc.stderr
    assert proc.stderr.startswith("error: compare.py merge: ") and "both ran" in proc.stderr, proc.stderr


# --- training runs: compare.py train --dump ----------------------------------------------------------------
# A pass, running statistics, a recurrent layer, and a training trap (Keras held to PyTorch's coupled weight
# decay) that fails in one framework only.
TRAIN = ["mlp", "batch_norm", "gru", "weight_decay_decoupled"]


def trained_verdicts(run) -> dict:
    return {(r.spec, r.optimizer, r.backend): {**r.as_json(), "seconds": None, "tolerance": r.tolerance}
            for r in run.results}


@pytest.fixture(scope="module")
def trained(pool, tmp_path_factory):
    """One training run of TRAIN on every framework, the same split by framework and into two shards, all
    dumped."""
    from harness.train import train_backends

    root = tmp_path_factory.mktemp("train-merge")
    meta = {"selection": TRAIN}
    whole = train_backends(pool, TRAIN, FRAMEWORKS, dump=root / "whole", meta=meta)
    for b in FRAMEWORKS:
        train_backends(pool, TRAIN, [b], dump=root / f"fw-{b}", meta=meta)
    for i in (1, 2):
        train_backends(pool, shard.select(TRAIN, i, 2, shard.costs(shard.TRAIN_COSTS)), FRAMEWORKS,
                       dump=root / f"shard-{i}", meta={**meta, "shard": f"{i}/2"})
    return root, whole


@pytest.mark.parametrize("kind", ["fw", "shard"], ids=["by-framework", "by-shard"])
def test_training_runs_made_apart_merge_into_the_report_of_one_run(trained, kind):
    root, whole = trained
    assert len(parts(root, kind)) > 1
    merged = merge(parts(root, kind))
    assert type(merged) is type(whole) and merged.backends == whole.backends and merged.steps == whole.steps
    assert [(r.spec, r.optimizer, r.backend) for r in merged.results] == \
        [(r.spec, r.optimizer, r.backend) for r in whole.results]
    assert trained_verdicts(merged) == trained_verdicts(whole) and merged.conventions == whole.conventions
    statuses = {(r.spec, r.optimizer, r.backend): r.status for r in merged.results}
    assert len(statuses) == (3 * 3 + 1) * len(FRAMEWORKS), statuses  # three blocks x optimizers, and the trap
    assert statuses[("weight_decay_decoupled", "momentum", "keras")] == "fail", statuses
    assert statuses[("weight_decay_decoupled", "momentum", "torch")] == "skipped", statuses
    assert all(v == "pass" for (name, _, _), v in statuses.items() if name == "mlp"), statuses


def test_a_training_merge_judges_the_arrays_not_the_parts_verdicts(trained, tmp_path):
    """A step-1 gradient changed in one part's arrays fails there once merged, though that part passed: the
    merge votes and checks every step again. A part of one framework has no vote; merged, all of them do."""
    root, _ = trained
    alone = {c.quantity: c.note for r in merge([root / "fw-torch"]).results if (r.spec, r.optimizer) == ("mlp", "sgd")
             for c in r.checks}
    assert alone["step1:grad:hidden.weight"].startswith("one backend"), alone
    copies = []
    for d in parts(root, "fw"):
        copies.append(tmp_path / pathlib.Path(d).name)
        shutil.copytree(d, copies[-1])
    f = tmp_path / "fw-flax" / "mlp" / "adam.flax.npz"
    arrays = load_arrays(f)
    arrays["step1:grad:hidden.weight"] = arrays["step1:grad:hidden.weight"] * 1.01
    from harness.protocol import save_arrays

    save_arrays(f, arrays)
    results = {(r.spec, r.optimizer, r.backend): r for r in merge(copies).results}
    wrong = results[("mlp", "adam", "flax")]
    assert wrong.status == "fail" and not next(c for c in wrong.checks
                                               if c.quantity == "step1:grad:hidden.weight").passed, wrong
    assert all(results[("mlp", "adam", b)].status == "pass" for b in FRAMEWORKS if b != "flax"), results


def test_a_training_merge_needs_no_framework_and_starts_no_worker(trained, tmp_path):
    root, _ = trained
    rc, modules, out = merge_alone(*parts(root, "fw"), "--json", tmp_path / "t.json")
    assert rc == 1, out  # the trap fails
    assert modules == ["['backends', 'harness', 'numpy', 'specs']"], out
    assert json.loads((tmp_path / "t.json").read_text())["verdict"] == "FAILED"


def test_training_and_comparison_runs_or_other_steps_are_not_merged(runs, trained, tmp_path):
    root, _ = trained
    with pytest.raises(MergeError, match="the runs differ in command"):
        merge([runs[0] / "fw-torch", root / "fw-flax"])
    with pytest.raises(MergeError, match="the runs differ in --steps"):
        merge(tampered(root, tmp_path, "fw", _set("steps", 5)))
    with pytest.raises(MergeError, match=r"and \S*fw-torch both ran mlp x sgd x torch\. Expected"):
        merge([root / "whole", root / "fw-torch"])
    with pytest.raises(MergeError, match=r"which no part ran \(it is shard 1/2: is another shard missing\?\)"):
        merge(parts(root, "shard")[:1])
    copies = []
    for d in parts(root, "fw"):
        copies.append(tmp_path / "case" / pathlib.Path(d).name)
        shutil.copytree(d, copies[-1])
    case = copies[-1] / "mlp" / "case.npz"
    arrays = load_arrays(case)
    arrays["input:x"] = arrays["input:x"] + 1
    from harness.protocol import save_arrays

    save_arrays(case, arrays)
    with pytest.raises(MergeError, match=r"mlp's case is not the one seed 0 draws here"):
        merge(copies)
    proc = cli("merge", *parts(root, "fw"), "--html", str(tmp_path / "t.html"))
    assert proc.returncode == 2 and "training runs" in proc.stderr and not (tmp_path / "t.html").exists(), \
        proc.stderr


# --- --shard ----------------------------------------------------------------------------------------------
@pytest.mark.parametrize("path, measure", [(shard.COSTS, "--measure"), (shard.TRAIN_COSTS, "--measure --train")],
                         ids=["compare", "train"])
def test_every_block_has_a_measured_cost(path, measure):
    table = shard.costs(path)
    missing = [n for n in specs.names() if n not in table]
    assert not missing, f"no cost in {path.name} for {missing}: run python -m harness.shard {measure}"


@pytest.mark.parametrize("n", [1, 2, 3, 4, 7])
def test_shards_cover_every_block_exactly_once_and_evenly(n):
    names = specs.names()
    split = [shard.select(names, i, n) for i in range(1, n + 1)]
    assert sorted(x for s in split for x in s) == sorted(names)
    assert all(s == sorted(s, key=names.index) for s in split)  # each in the order selected
    assert split == shard.split(list(names), n)  # deterministic
    table = shard.costs()
    loads = [sum(table[x] for x in s) for s in split]
    assert max(loads) - min(loads) <= max(table.values()), loads  # greedy: within one block's cost


def test_a_block_without_a_cost_counts_as_the_median():
    table = {"a": 1.0, "b": 2.0, "c": 9.0}
    assert shard.split(["a", "b", "c", "new"], 2, table) == [["c"], ["a", "b", "new"]]  # new costs 2
    assert shard.cost_of("my_linear_data_attr", {"my_linear": 3.0}, 1.0) == 3.0  # a variant: its block's


@pytest.mark.parametrize("value", ["0/4", "5/4", "a/b", "1/0", "1", "9/9"])
def test_a_bad_shard_is_one_line_and_exit_2(value):
    for command in ([], ["train"]):
        proc = cli(*command, "mlp", "my_linear", "--shard", value)
        assert proc.returncode == 2 and len(proc.stderr.strip().splitlines()) == 1, proc.stderr
        assert "--shard" in proc.stderr, proc.stderr


# --- the example CI workflow -------------------------------------------------------------------------------
def test_the_example_ci_runs_one_framework_at_a_time_and_merges(tmp_path):
    """examples/ci/run-locally.sh: the workflow's commands, four processes of one framework each, merged."""
    proc = subprocess.run([str(ROOT / "examples" / "ci" / "run-locally.sh"), str(tmp_path), "mlp",
                           "my_linear_data_attr"], capture_output=True, text=True, timeout=600,
                          env={**os.environ, "PYTHON": sys.executable})
    assert proc.returncode == 1, proc.stdout + proc.stderr  # my_linear_data_attr fails in every framework
    assert [line.split(":")[0] for line in proc.stdout.splitlines()[:8]] == \
        [f"{b}{kind}" for b in FRAMEWORKS for kind in ("", " train")], proc.stdout
    doc = json.loads((tmp_path / "merged.json").read_text())
    statuses = {(r["spec"], r["backend"]): r["status"] for r in doc["results"]}
    assert statuses == {**{("mlp", b): "pass" for b in FRAMEWORKS},
                        **{("my_linear_data_attr", b): "fail" for b in FRAMEWORKS}}, statuses
    assert (tmp_path / "merged.html").is_file() and proc.stdout.count("merged 4 runs") == 2
    trained = json.loads((tmp_path / "trained.json").read_text())
    assert {(r["spec"], r["optimizer"], r["backend"]) for r in trained["results"]} == \
        {(s, o, b) for s in ("mlp", "my_linear_data_attr") for o in ("sgd", "momentum", "adam") for b in FRAMEWORKS}
    assert all(r["status"] == "pass" for r in trained["results"] if r["spec"] == "mlp"), trained["results"]


def test_the_example_workflow_has_a_job_per_framework_and_gates_on_the_merge():
    """examples/ci/parity.yml stays what run-locally.sh runs: one job per framework, each dumping, then merge."""
    yaml = pytest.importorskip("yaml")
    flow = yaml.safe_load((ROOT / "examples" / "ci" / "parity.yml").read_text())
    part, merge_job = flow["jobs"]["part"], flow["jobs"]["merge"]
    # the book's four frameworks, as a plain run (the Keras engines join with --backends all: docs/engines.md)
    assert [m["backend"] for m in part["strategy"]["matrix"]["include"]] == backends.defaults() == FRAMEWORKS
    runs = " ".join(step.get("run", "") for step in part["steps"])
    for needle in ("compare.py $BLOCKS --backends ${{ matrix.backend }}", "--dump out/${{ matrix.backend }}",
                   "--json out/${{ matrix.backend }}.json"):
        assert needle in runs, needle
    for needle in ("compare.py train $BLOCKS --backends ${{ matrix.backend }}", "--dump train/${{ matrix.backend }}"):
        assert needle in runs, needle
    assert merge_job["needs"] == "part"
    for needle in ("compare.py merge parts/*", "compare.py merge trained/*"):
        assert any(needle in step.get("run", "") for step in merge_job["steps"]), needle


def test_a_user_s_blocks_merge_wherever_their_folder_is(tmp_path):
    """``--blocks DIR``: parts made with the folder in one place merge with a copy of it elsewhere (its
    digest is its sources, not its path); without the folder the block is unknown; a block whose reference
    is the torch realisation cannot be recomputed without torch, and is refused."""
    folder = ROOT / "tests" / "user_blocks"
    for part, fws in (("a", "torch"), ("b", "flax,keras")):
        proc = cli("user_tanh_mlp", "--blocks", str(folder), "--backends", fws, "--dump", str(tmp_path / part))
        assert proc.returncode == 0, proc.stdout + proc.stderr
    shutil.copytree(folder, tmp_path / "elsewhere")
    merged = cli("merge", str(tmp_path / "a"), str(tmp_path / "b"), "--blocks", str(tmp_path / "elsewhere"),
                 "--json", str(tmp_path / "m.json"))
    assert merged.returncode == 0, merged.stdout + merged.stderr
    doc = json.loads((tmp_path / "m.json").read_text())
    assert {(r["backend"], r["status"]) for r in doc["results"]} == {("torch", "pass"), ("flax", "pass"),
                                                                      ("keras", "pass")}, doc["results"]
    alone = cli("merge", str(tmp_path / "a"), str(tmp_path / "b"))
    assert alone.returncode == 2 and "block 'user_tanh_mlp' is not defined here" in alone.stderr, alone.stderr
    m = json.loads((tmp_path / "a" / dump.MANIFEST).read_text())
    m["blocks"] = {"user_softplus_mlp": m["blocks"]["user_tanh_mlp"]}
    (tmp_path / "a" / dump.MANIFEST).write_text(json.dumps(m))
    torch_ref = cli("merge", str(tmp_path / "a"), "--blocks", str(folder))
    assert torch_ref.returncode == 2 and "takes its reference from torch" in torch_ref.stderr, torch_ref.stderr
