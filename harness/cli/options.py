"""The options the commands share, each declared once with its check, and the checks of what they name.

Bad input is one line, ``error: <what> ... Expected ...``, exit status 2, before any worker starts: a
value out of its range, a name given twice, an output path that cannot be written (checked before the
run, so that a run's results are never computed and then lost) or that looks like a block name.
"""

from __future__ import annotations

import argparse
import math
import os

import backends
import specs
from harness.spec import DTYPES

SEED_MAX = 2**32 - 1  # what every framework's and NumPy's seeding accepts
STEPS_MAX = 1000  # the worker keeps every step's arrays until the reply is written: 10**6 steps ran out of memory


class UsageError(Exception):
    pass


class Parser(argparse.ArgumentParser):
    """Every command's parser; each has ``--blocks DIR`` (a user's block folder, docs/own-blocks.md)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.add_argument("--blocks", metavar="DIR", action=UserBlocks, default=[],
                          help="also the blocks in DIR (DIR/specs/<block>.py, DIR/backends/<fw>/<block>.py); "
                          "repeatable; also BLOCKPARITY_BLOCKS=DIR1:DIR2")

    def error(self, message):  # one line, exit 2, instead of argparse's usage dump
        raise UsageError(f"{self.prog}: {message}")


class UserBlocks(argparse.Action):
    """``--blocks DIR``: add DIR to the registry now (workers inherit it), checked before anything runs."""

    def __call__(self, parser, namespace, value, option_string=None):
        from harness import userblocks

        userblocks.add(value)
        try:
            specs.names()  # loads and checks every user folder: one line naming the file
        except userblocks.BlockError as e:
            parser.error(f"{option_string} {e}")
        getattr(namespace, self.dest).append(value)


def choices_error(kind: str, bad, valid) -> UsageError:
    return UsageError(f"unknown {kind} {', '.join(map(repr, bad))}. Expected one of: {', '.join(valid)}")


def no_repeats(what: str, names, expected: str) -> None:
    twice = [n for i, n in enumerate(names) if n in names[:i]]
    if twice:
        raise UsageError(f"{what} names {', '.join(map(repr, dict.fromkeys(twice)))} more than once. "
                         f"Expected {expected}")


# --- values --------------------------------------------------------------------------------------------------
def integer(lo: int, hi: int, why: str = ""):
    def convert(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise ValueError(f"must be an integer from {lo} to {hi}, not {text!r}") from None
        if value < lo:
            raise ValueError(f"must be at least {lo}, not {value} (valid: {lo} to {hi}{why})")
        if value > hi:
            raise ValueError(f"must be at most {hi}, not {value} (valid: {lo} to {hi}{why})")
        return value
    return convert


def positive_seconds(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise ValueError(f"must be a number of seconds, not {text!r}") from None
    if not math.isfinite(value) or value <= 0:
        raise ValueError(f"must be a finite number of seconds greater than 0, not {text!r}")
    return value


def _writable_parent(path: str) -> None:
    parent = os.path.dirname(os.path.abspath(path))
    if not os.path.isdir(parent):
        raise ValueError(f"{path!r}: directory {parent!r} does not exist")
    if not os.access(parent, os.W_OK | os.X_OK):
        raise ValueError(f"{path!r}: directory {parent!r} is not writable")


def _looks_like_a_name(path: str) -> bool:
    from harness.cli.commands import COMMANDS

    return os.sep not in path and (path in specs.known_names() or path in COMMANDS)


def output_file(*extensions: str):
    """A file the command will write: a name ending in one of ``extensions`` that can be written now."""
    def convert(path: str) -> str:
        if not path:
            raise ValueError(f"is empty. Expected a file name ending in {' or '.join(extensions)}")
        if not path.lower().endswith(extensions):
            named = " (a block name? blocks are given without an option)" if _looks_like_a_name(path) else ""
            raise ValueError(f"{path!r} is not a file name ending in {' or '.join(extensions)}{named}")
        if os.path.isdir(path):
            raise ValueError(f"{path!r} is a directory. Expected a file name ending in {' or '.join(extensions)}")
        _writable_parent(path)
        if os.path.exists(path) and not os.access(path, os.W_OK):
            raise ValueError(f"{path!r} exists and is not writable")
        return path
    return convert


def output_dir(path: str) -> str:
    """A directory the command will create or write into (``--dump``)."""
    if not path:
        raise ValueError("is empty. Expected a directory")
    if os.path.exists(path) and not os.path.isdir(path):
        raise ValueError(f"{path!r} is an existing file. Expected a directory (new or existing)")
    if not os.path.exists(path) and _looks_like_a_name(path):
        raise ValueError(f"{path!r} looks like a block name. Expected a directory (write ./{path} to mean one)")
    if os.path.isdir(path):
        if not os.access(path, os.W_OK | os.X_OK):
            raise ValueError(f"{path!r} is not writable")
    else:
        _writable_parent(path)
    return path


def checked(convert):
    """An argparse action that converts with ``convert`` and reports its ValueError as one line."""
    class Checked(argparse.Action):
        def __call__(self, parser, namespace, value, option_string=None):
            try:
                setattr(namespace, self.dest, convert(value))
            except ValueError as e:
                parser.error(f"{option_string} {e}")
    return Checked


# --- the shared options ----------------------------------------------------------------------------------------
def add_specs(p, help="blocks or variants to run (default: every block)", nargs="*") -> None:
    p.add_argument("specs" if nargs == "*" else "spec", nargs=nargs, metavar="SPEC", help=help)


def add_run_options(p, *, dtype="float32", dtype_help=None, json=True, dump=False, taps=False, shard=False) -> None:
    """The options of every command that runs workers: what to run, how long, what to write and show."""
    g = p.add_argument_group("run options")
    g.add_argument("--backends", metavar="LIST", help=f"comma-separated subset of {','.join(backends.names())}, "
                   f"or 'all' (default: {','.join(backends.defaults())})")
    g.add_argument("--require", metavar="LIST", help="backends that must run: one whose interpreter is missing or "
                   "whose framework does not import fails the run instead of being skipped (a comma-separated "
                   "subset of --backends, or 'all'; a documented gap stays a skip)")
    g.add_argument("--dtype", default=dtype, choices=DTYPES,
                   help=dtype_help or f"the dtype every framework computes in (default: {dtype})")
    g.add_argument("--seed", default=0, action=checked(integer(0, SEED_MAX)), metavar="N",
                   help=f"seeds inputs, weights and directions (0 to {SEED_MAX}; default 0)")
    g.add_argument("--timeout", default=120.0, action=checked(positive_seconds), metavar="SECONDS",
                   help="seconds a worker may take to start, and one block in one backend (default 120)")
    g.add_argument("--workers", default=None, action=checked(integer(1, 64)), metavar="N",
                   help="worker processes per backend, sharing its blocks (1 to 64; default: as many as the "
                   "cores give each backend, at least 1); the results are the same for any N")
    if json:
        g.add_argument("--json", metavar="PATH", action=checked(output_file(".json")),
                       help="write the results as JSON (PATH ends in .json; written before the table)")
    if dump:
        g.add_argument("--dump", metavar="DIR", action=checked(output_dir),
                       help=dump if isinstance(dump, str) else "write inputs, parameters, every backend's arrays "
                       "and taps as .npz under DIR, with a manifest for compare.py merge")
    if shard:
        from harness.shard import parse

        costs = shard if isinstance(shard, str) else "harness/costs.json"
        g.add_argument("--shard", metavar="I/N", action=checked(parse), help="run only shard I of N of the blocks, "
                       f"split evenly by their measured cost ({costs}): the N shards run every block exactly once, "
                       "and compare.py merge joins their --dump folders")
    if taps:
        g.add_argument("--taps", action="store_true", help="also check every tap (intermediate point) against "
                       "the reference, not only to localise a failure")
    g.add_argument("--verbose", action="store_true", help="print each error's details (its traceback)")
    g.add_argument("--no-color", action="store_true", help="no colour, even on a terminal (also: NO_COLOR=1)")
    g.add_argument("--quiet", action="store_true", help="no progress display")


def sharded(names: list, chosen, costs=None) -> list:
    """The names of shard ``chosen`` (i, n) of ``names``, or ``names`` when not sharded; split by ``costs``
    (a path; default harness/costs.json)."""
    from harness import shard

    if not chosen:
        return names
    i, n = chosen
    if n > len(names):
        raise UsageError(f"--shard {i}/{n}: {len(names)} blocks cannot fill {n} shards. Expected at most "
                         f"{len(names)} shards")
    return shard.select(names, i, n, shard.costs(costs) if costs else None)


def parse_backends(text: str | None) -> list[str]:
    valid = backends.names()
    if text is None:
        return backends.defaults()
    if text.strip() == "all":
        return valid
    chosen = [b.strip() for b in text.split(",") if b.strip()]
    if not chosen:
        raise UsageError(f"--backends names no backend. Expected 'all' or a comma-separated subset of: "
                         f"{', '.join(valid)}")
    bad = [b for b in chosen if b not in valid]
    if bad:
        raise choices_error("backend", bad, valid)
    no_repeats("--backends", chosen, f"each of {', '.join(valid)} at most once")
    return chosen


def parse_require(text: str | None, chosen: list[str]) -> list[str]:
    if text is None:
        return []
    if text.strip() == "all":
        return list(chosen)
    names = [b.strip() for b in text.split(",") if b.strip()]
    bad = [b for b in names if b not in chosen]
    if bad or not names:
        raise UsageError(f"--require names {', '.join(map(repr, bad or [text]))}, which this run does not run. "
                         f"Expected 'all' or a subset of: {', '.join(chosen)}")
    no_repeats("--require", names, f"each of {', '.join(chosen)} at most once")
    return names


def check_spec_names(names, commands=(), extra=()) -> None:
    """Raise a UsageError naming every unknown spec (``extra``: more valid names) or a name given twice;
    ``commands`` when the first word may be a mistyped command."""
    valid = specs.known_names() + list(extra)
    bad = [n for n in names if n not in valid]
    if bad and commands and bad[0] == names[0]:
        raise choices_error("spec or command", bad, list(commands) + valid)
    if bad:
        raise choices_error("spec", bad, valid)
    no_repeats("the command line", list(names), "each block or variant at most once")


def finish(args, p=None) -> argparse.Namespace:
    """The checks that need several options together: backends, required backends."""
    args.backends = parse_backends(args.backends)
    args.require = parse_require(args.require, args.backends)
    return args
