"""The framework conventions the adapters rely on still hold on the installed versions (docs/conventions/).

Each check script asserts its facts one at a time, prints ``ok: <fact>`` for each that holds, and stops at
the first that does not: an ``AssertionError`` whose message starts with ``FAILED:`` (or names the probe
subprocess that failed), exit status 1. The conv and seq main scripts write ``.npz`` fixtures that their
gluon scripts read, so those gluon checks run their main one first (once per session). Every script must exit 0,
print no ``FAILED`` and print exactly the facts it asserts, so a fact dropped from a script is noticed.

Only these: ``make test PYTEST_ARGS="-m conventions"``; everything else: ``-m "not conventions"``.

A script's facts depend only on the script (and the probes beside it), the installed packages, the CPU (two
facts round differently on AVX2 and AVX-512) and the frameworks' environment variables. A pass is recorded
under ``.cache/blockparity/conventions/`` with a digest of all of these; while the digest is the same, the
script is not run again and its test is skipped, naming the record. A fresh clone (CI) has no record and
runs every script; a changed pin, script, CPU or variable reruns it; ``BLOCKPARITY_CONVENTIONS=rerun``
reruns them all.
"""

import datetime
import functools
import hashlib
import json
import os
import pathlib
import subprocess
import sys

import pytest

HERE = pathlib.Path(__file__).resolve().parent
ROOT = HERE.parent.parent
PYTHON = {"main": ROOT / ".venv" / "bin" / "python", "gluon": ROOT / ".venv-gluon" / "bin" / "python"}
# check script -> the facts it asserts (its "ok:" lines); the documents in docs/conventions/ cite them.
FACTS = {
    "check_core_main": 77, "check_core_gluon": 40,
    "check_conv_main": 157, "check_conv_gluon": 82,
    "check_seq_main": 114, "check_seq_gluon": 51,
    "check_nnx_main": 44,
}
READS_FIXTURES_OF = {"check_conv_gluon": "check_conv_main", "check_seq_gluon": "check_seq_main"}
TIMEOUT = 1200  # seconds per script; all seven take about 3 minutes on an idle 2-core machine
RECORDS = ROOT / ".cache" / "blockparity" / "conventions"
# Environment variables that can change what a framework computes (threads, kernels, flags)
VARIABLES = ("TF_", "XLA_", "JAX_", "KERAS_", "TORCH_", "PYTORCH_", "ATEN_", "MXNET_", "OMP_", "MKL_", "KMP_",
             "OPENBLAS_", "DNNL_", "ONEDNN_")

pytestmark = pytest.mark.conventions


@functools.cache
def _packages(python) -> list:
    """[name==version] of every distribution installed for ``python`` (asked once per interpreter)."""
    code = "import importlib.metadata as m; print('\\n'.join(sorted(f'{d.metadata[\"Name\"]}=={d.version}' "
    code += "for d in m.distributions())))"
    p = subprocess.run([str(python), "-c", code], capture_output=True, text=True, timeout=120)
    return [p.stdout, str(p.returncode)]


def _cpu() -> str:
    """The CPU's model and instruction-set flags (the first processor's lines of /proc/cpuinfo)."""
    try:
        lines = pathlib.Path("/proc/cpuinfo").read_text().split("\n\n")[0].splitlines()
    except OSError:
        import platform

        return platform.processor() + platform.machine()
    return "\n".join(ln for ln in lines if ln.split(":")[0].strip() in ("vendor_id", "model name", "flags"))


def digest(name: str, python) -> str:
    """What the facts of ``<name>.py`` under ``python`` depend on, as one sha256."""
    h = hashlib.sha256()
    for f in sorted(HERE.rglob("*.py")):  # the script, the probes it starts, this file's FACTS
        h.update(f.relative_to(HERE).as_posix().encode() + b"\0" + f.read_bytes())
    h.update(name.encode())
    for part in [str(python), *_packages(python), _cpu(), *sorted(f"{k}={v}" for k, v in os.environ.items()
                                                                  if k.startswith(VARIABLES))]:
        h.update(part.encode() + b"\0")
    return h.hexdigest()


@pytest.fixture(scope="session")
def check(tmp_path_factory):
    """check(name) -> CompletedProcess of tests/conventions/<name>.py, run once under its environment."""
    fixtures = tmp_path_factory.mktemp("conventions-fixtures")
    done = {}

    def run(name):
        if name not in done:
            env_name = name.rsplit("_", 1)[1]
            if name in READS_FIXTURES_OF:
                run(READS_FIXTURES_OF[name])  # writes the fixtures this one reads
            python = PYTHON[env_name]
            if not python.exists():
                pytest.skip(f"{name}.py needs {python.relative_to(ROOT)}, which does not exist (make envs)")
            env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3", "CONVENTIONS_FIXTURES": str(fixtures)}
            done[name] = subprocess.run([str(python), str(HERE / f"{name}.py")], cwd=ROOT, env=env,
                                        capture_output=True, text=True, timeout=TIMEOUT)
        return done[name]

    return run


@pytest.fixture(scope="session")
def records():
    """name -> (path of its record, the digest it must hold): a script whose record matches is not rerun."""
    known = {}

    def find(name):
        if name not in known:
            python = PYTHON[name.rsplit("_", 1)[1]]
            known[name] = (RECORDS / f"{name}.json", digest(name, python) if python.exists() else None)
        return known[name]

    return find


@pytest.mark.parametrize("name", list(FACTS))
def test_conventions_still_hold(check, records, name):
    path, wanted = records(name)
    if wanted and os.environ.get("BLOCKPARITY_CONVENTIONS") != "rerun" and path.exists():
        try:
            record = json.loads(path.read_text())
        except (OSError, ValueError):  # unreadable: as if there were none
            record = {}
        if record.get("digest") == wanted:
            pytest.skip(f"{name}.py: its {record['facts']} facts held on {record['when']} with these scripts, "
                        f"packages, CPU and variables (.cache/blockparity/conventions/); "
                        f"BLOCKPARITY_CONVENTIONS=rerun runs it again")
    p = check(name)
    facts = [line for line in p.stdout.splitlines() if line.startswith("ok: ")]
    tail = "\n".join((p.stdout + p.stderr).splitlines()[-15:])
    python = PYTHON[name.rsplit("_", 1)[1]].relative_to(ROOT)
    first = f"{READS_FIXTURES_OF[name]}.py, then " if name in READS_FIXTURES_OF else ""
    reproduce = f"reproduce: tests/conventions/run-all  (or {first}{python} tests/conventions/{name}.py)"
    assert p.returncode == 0 and "FAILED" not in p.stdout + p.stderr, \
        f"{name}.py: a convention no longer holds (exit {p.returncode}) after {len(facts)} facts:\n{tail}\n{reproduce}"
    assert len(facts) == FACTS[name], \
        f"{name}.py printed {len(facts)} facts, {FACTS[name]} expected: update FACTS and docs/conventions/\n{tail}"
    RECORDS.mkdir(parents=True, exist_ok=True)
    when = datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds")
    path.write_text(json.dumps({"digest": wanted, "facts": len(facts), "when": when}) + "\n")


@pytest.mark.skipif(not PYTHON["main"].exists(), reason="needs .venv")
def test_a_record_is_only_as_good_as_what_it_was_made_from(monkeypatch):
    """Another CPU, another framework flag or another script each change the digest: the script runs again."""
    first = digest("check_core_main", PYTHON["main"])
    assert digest("check_core_main", PYTHON["main"]) == first  # stable: a warm run does not rerun it
    assert digest("check_core_gluon", PYTHON["main"]) != first
    with monkeypatch.context() as m:
        m.setenv("XLA_FLAGS", os.environ.get("XLA_FLAGS", "") + " --xla_cpu_enable_fast_math=true")
        assert digest("check_core_main", PYTHON["main"]) != first
    assert digest("check_core_main", PYTHON["main"]) == first
    monkeypatch.setattr(sys.modules[__name__], "_cpu", lambda: "model name: another CPU\nflags: avx2")
    assert digest("check_core_main", PYTHON["main"]) != first
