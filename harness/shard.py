"""``--shard i/n``: the blocks split into n parts of about equal cost, the same split on every machine.

Each block's cost is its measured work in seconds, summed over the four frameworks, kept in
``harness/costs.json``; a block without a measured cost (a new block, a user's) counts as the median of
the measured ones, and a variant as its block when it has no cost of its own. The split is greedy: blocks
by decreasing cost (ties by name), each to the shard with the least cost so far (ties to the lower shard).
It depends only on the names and the costs file, so ``--shard 1/n`` ... ``n/n`` on n machines run every
block exactly once; each shard runs its blocks in the order they were selected.

``python -m harness.shard --measure [SPEC ...]`` reruns every block, or the blocks named (their costs
updated, the others kept), with ``compare.py --json`` and rewrites the costs; ``--from REPORT.json ...``
takes them from runs' JSON reports instead (a merged CI report has every
framework); ``python -m harness.shard --show N [SPEC ...]`` prints the split into N shards.

``compare.py train --shard`` splits by its own costs, ``harness/train_costs.json`` (each block's training
work, summed over the frameworks and optimizers): ``--train`` with any of the above measures, reads or shows
those (``--from`` takes training reports).
"""

from __future__ import annotations

import argparse
import json
import pathlib
import statistics
import subprocess
import sys
import tempfile

ROOT = pathlib.Path(__file__).resolve().parent.parent
COSTS = ROOT / "harness" / "costs.json"
TRAIN_COSTS = ROOT / "harness" / "train_costs.json"  # compare.py train --shard's


def parse(text: str) -> tuple[int, int]:
    """``i/n`` -> (i, n) with 1 <= i <= n; ValueError saying what is wrong."""
    i, sep, n = text.partition("/")
    if not sep or not i.strip().isdigit() or not n.strip().isdigit():
        raise ValueError(f"must be i/n (shard i of n, e.g. 1/4), not {text!r}")
    i, n = int(i), int(n)
    if n < 1:
        raise ValueError(f"must split into at least 1 shard, not {text!r} (valid: 1/n to n/n)")
    if not 1 <= i <= n:
        raise ValueError(f"must name a shard from 1 to {n}, not {text!r} (valid: 1/{n} to {n}/{n})")
    return i, n


def costs(path=COSTS) -> dict:
    """{block: seconds} as measured."""
    return json.loads(pathlib.Path(path).read_text(encoding="ascii"))["seconds"]


def cost_of(name: str, table: dict, default: float) -> float:
    if name in table:
        return table[name]
    import specs

    try:
        base = specs.resolve(name)[0].name
    except KeyError:
        return default
    return table.get(base, default)


def split(names, n: int, table: dict | None = None) -> list[list[str]]:
    """``names`` in n shards (each in the order of ``names``), greedily by cost."""
    table = costs() if table is None else table
    default = statistics.median(table.values()) if table else 1.0
    cost = {name: cost_of(name, table, default) for name in names}
    loads, owner = [0.0] * n, {}
    for name in sorted(names, key=lambda x: (-cost[x], x)):
        k = min(range(n), key=lambda j: (loads[j], j))
        loads[k] += cost[name]
        owner[name] = k
    return [[x for x in names if owner[x] == k] for k in range(n)]


def select(names, i: int, n: int, table: dict | None = None) -> list[str]:
    return split(names, n, table)[i - 1]


def measured(reports) -> dict:
    """{block: seconds summed over backends} from runs' JSON reports (a block's variants not counted)."""
    import specs

    seconds = {}
    for doc in reports:
        for r in doc["results"]:
            if r["spec"] in specs.names():
                seconds[r["spec"]] = seconds.get(r["spec"], 0.0) + r.get("seconds", 0.0)
    return {k: round(v, 3) for k, v in sorted(seconds.items())}


def write(seconds: dict, how: str, path=COSTS) -> None:
    what = "training work, summed over the frameworks and optimizers; compare.py train --shard" \
        if path == TRAIN_COSTS else "work in seconds, summed over the frameworks; --shard"
    doc = {"about": f"each block's {what} splits by it (harness/shard.py)", "measured_by": how, "seconds": seconds}
    pathlib.Path(path).write_text(json.dumps(doc, indent=1) + "\n", encoding="ascii")


def main(argv=None) -> int:
    p = argparse.ArgumentParser(prog="python -m harness.shard", description=__doc__.split("\n\n")[0])
    g = p.add_mutually_exclusive_group(required=True)
    g.add_argument("--measure", action="store_true", help="run every block and rewrite harness/costs.json")
    g.add_argument("--from", dest="reports", nargs="+", metavar="REPORT.json", help="rewrite it from JSON reports")
    g.add_argument("--show", type=int, metavar="N", help="print the split of SPECs (default: every block) in N")
    p.add_argument("--train", action="store_true", help="the training step's costs (harness/train_costs.json)")
    p.add_argument("specs", nargs="*", metavar="SPEC")
    args = p.parse_args(argv)
    import specs

    path, command = (TRAIN_COSTS, ["train"]) if args.train else (COSTS, [])
    if args.show:
        table = costs(path)
        default = statistics.median(table.values())
        for k, shard in enumerate(split(args.specs or specs.names(), args.show, table), 1):
            total = sum(cost_of(x, table, default) for x in shard)
            print(f"{k}/{args.show}  {total:6.2f} s  {len(shard):2d} blocks: {' '.join(shard)}")
        return 0
    if args.reports:
        docs = [json.loads(pathlib.Path(r).read_text()) for r in args.reports]
        how = "python -m harness.shard --from " + " ".join(args.reports)
    else:
        with tempfile.TemporaryDirectory() as tmp:
            subprocess.run([sys.executable, "compare.py", *command, *args.specs, "--quiet", "--json",
                            f"{tmp}/run.json"], cwd=ROOT, stdout=subprocess.DEVNULL, check=False)
            docs = [json.loads(pathlib.Path(f"{tmp}/run.json").read_text())]
        how = f"python -m harness.shard --measure{' --train' if args.train else ''}"
    wrong = [r for r, d in zip(args.reports or [], docs) if (d.get("command") == "train") != args.train]
    if wrong:
        p.error(f"{wrong[0]} is the report of {'a comparison' if args.train else 'a training run'}; expected "
                f"{'compare.py train' if args.train else 'compare.py'} reports{'' if args.train else ' (or --train)'}")
    seconds = measured(docs)
    if args.specs:  # the blocks named: their costs updated, the others kept
        seconds = {**costs(path), **{k: v for k, v in seconds.items() if k in args.specs}}
        seconds = dict(sorted(seconds.items()))
        how = f"{json.loads(path.read_text(encoding='ascii'))['measured_by']}; then {how} {' '.join(args.specs)}"
    missing = [n for n in specs.names() if n not in seconds]
    write(seconds, how, path)
    print(f"wrote {path.relative_to(ROOT)}: {len(seconds)} blocks"
          + (f"; no cost for {', '.join(missing)} (they count as the median)" if missing else ""))
    return 0


if __name__ == "__main__":
    sys.exit(main())
