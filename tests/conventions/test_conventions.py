"""The framework conventions the adapters rely on still hold on the installed versions (docs/conventions/).

Each check script asserts its facts one at a time, prints ``ok: <fact>`` for each that holds, and stops at
the first that does not: an ``AssertionError`` whose message starts with ``FAILED:`` (or names the probe
subprocess that failed), exit status 1. The conv and seq main scripts write ``.npz`` fixtures that their
gluon scripts read, so those gluon checks run their main one first (once per session). Every script must exit 0,
print no ``FAILED`` and print exactly the facts it asserts, so a fact dropped from a script is noticed.

Only these: ``make test PYTEST_ARGS="-m conventions"``; everything else: ``-m "not conventions"``.
"""

import os
import pathlib
import subprocess

import pytest

HERE = pathlib.Path(__file__).resolve().parent
ROOT = HERE.parent.parent
PYTHON = {"main": ROOT / ".venv" / "bin" / "python", "gluon": ROOT / ".venv-gluon" / "bin" / "python"}
# check script -> the facts it asserts (its "ok:" lines); the documents in docs/conventions/ cite them.
FACTS = {
    "check_core_main": 77, "check_core_gluon": 40,
    "check_conv_main": 157, "check_conv_gluon": 80,
    "check_seq_main": 114, "check_seq_gluon": 51,
    "check_nnx_main": 44,
}
READS_FIXTURES_OF = {"check_conv_gluon": "check_conv_main", "check_seq_gluon": "check_seq_main"}
TIMEOUT = 1200  # seconds per script; all six take about 3 minutes on an idle 2-core machine

pytestmark = pytest.mark.conventions


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


@pytest.mark.parametrize("name", list(FACTS))
def test_conventions_still_hold(check, name):
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
