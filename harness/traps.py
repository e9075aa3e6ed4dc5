"""``python compare.py traps``: the catalogue of porting mistakes the harness must catch and localise.

Every ``Variant`` of every spec is a trap: a deliberately wrong but plausible realisation (or weight map)
in the frameworks it names. A trap is *caught* when its result fails (an error is not a catch: it means
the harness could not judge), and *localised* when the first divergence is the tap the variant expects.
A trap whose ``missed_in`` names a dtype is also run there and must pass: the documented blind spot of
that dtype's tolerance (for example a LayerNorm epsilon mismatch that only ``--dtype float64`` sees), so a
change in what the harness can see is noticed either way. Exit status 0 only when every trap is caught
and localised.

A trap that is a weight-map mistake rather than a wrong realisation (``Variant.fault``) is made by
``harness.faults.apply_fault``, the one place where a fault touches the mapping.

The training traps of ``harness.optim.TRAPS`` (a mistake in a framework's optimizer set-up, seen by
``compare.py train``) are run too: caught when the training run fails, localised when its first failing
parameter after a step is the quantity the trap names.
"""

from __future__ import annotations

import dataclasses
import textwrap

import specs


@dataclasses.dataclass
class TrapResult:
    name: str
    spec: str
    backend: str
    dtype: str
    status: str
    expected_tap: str | None
    first_divergence: dict | None
    explanation: str
    missed_in: dict  # dtype -> status there (must be "pass")
    reason: str = ""

    @property
    def caught(self) -> bool:
        return self.status == "fail"

    @property
    def localised(self) -> bool:
        found = self.first_divergence or {}
        # a tap the realisation has no module for (flax's nn.max_pool is a function) shows at the output
        hidden = self.expected_tap in found.get("unseen", ()) and str(found.get("tap")).startswith("output")
        return self.caught and (found.get("tap") == self.expected_tap or hidden)

    @property
    def ok(self) -> bool:
        return self.localised and all(s == "pass" for s in self.missed_in.values())

    def as_json(self) -> dict:
        return {"name": self.name, "spec": self.spec, "backend": self.backend, "dtype": self.dtype,
                "caught": self.caught, "localised": self.localised, "expected_tap": self.expected_tap,
                "first_divergence": self.first_divergence, "missed_in": self.missed_in,
                "explanation": self.explanation, "status": self.status, "reason": self.reason}


def catalogue() -> list:
    """[(spec, variant)] for every trap in the registry, in registry order."""
    return [(s, v) for s in specs.all_specs() for v in s.variants]


def run_traps(pool, backend_names, seed=0, on_event=None, dtype=None) -> list[TrapResult]:
    """Every trap (``dtype``: only those caught in that dtype) in ``backend_names``; a result that did not
    finish (an interrupted run) is left out."""
    from harness.run import compare_backends

    traps = [(s, v) for s, v in catalogue() if dtype in (None, v.dtype) and v.seen_in == "compare"]
    runs = {}
    for d in ("float32", "float64"):
        names = [v.name for _, v in traps if v.dtype == d]
        blind = [v.name for _, v in traps if d in v.missed_in]
        for key, todo in (("catch", names), ("blind", blind)):
            if todo:
                run = compare_backends(pool, todo, backend_names, d, seed, on_event=on_event,
                                       expect_failures=key == "catch")
                runs.update({(key, d, r.spec, r.backend): r for r in run.results})
    out = []
    for spec, v in traps:
        for b in backend_names:
            r = runs.get(("catch", v.dtype, v.name, b))
            if r is None or r.status in ("skipped", "interrupted"):
                continue
            missed = {d: runs[("blind", d, v.name, b)].status for d in v.missed_in
                      if ("blind", d, v.name, b) in runs}
            out.append(TrapResult(v.name, spec.name, b, v.dtype, r.status, v.expected_tap, r.first_divergence,
                                  v.why, missed, r.reason))
    elsewhere = [(s, v) for s, v in catalogue() if dtype in (None, v.dtype) and v.seen_in != "compare"]
    out += run_elsewhere(pool, elsewhere, backend_names, seed, on_event)
    return out + (run_training_traps(pool, backend_names, seed, on_event) if dtype in (None, "float32") else [])


def run_elsewhere(pool, traps, backend_names, seed=0, on_event=None) -> list[TrapResult]:
    """The traps that no forward and backward pass shows (``Variant.seen_in``): a wrong initialisation,
    run by ``harness.init`` (caught on ``init:<param>``), and two copies of a tied parameter, run by
    ``compare.py train`` with plain SGD (caught where the copies' updates leave the canonical one)."""
    from harness.init import init_backends
    from harness.train import train_backends

    out = []
    for (spec, v) in traps:
        if v.seen_in == "init":
            results = init_backends(pool, [v.name], backend_names, v.dtype, seed, on_event=on_event).results
        else:
            results = train_backends(pool, [v.name], backend_names, ("sgd",), v.dtype, seed,
                                     on_event=on_event).results
        for r in results:
            if r.status in ("skipped", "interrupted"):
                continue
            first = r.first_divergence
            if v.seen_in == "train":
                bad = next((c for c in r.failing() if c.quantity.rpartition(":")[2] in spec.params), None)
                first = {"tap": bad.quantity, "max_abs_err": bad.max_abs_err, "max_rel_err": bad.max_rel_err} \
                    if bad else None
            out.append(TrapResult(v.name, spec.name, r.backend, v.dtype, r.status, v.expected_tap, first,
                                  f"[{v.seen_in}] {v.why}", {}, r.reason))
    return out


def run_training_traps(pool, backend_names, seed=0, on_event=None) -> list[TrapResult]:
    from harness import optim
    from harness.checks import base_quantity
    from harness.train import train_backends

    wanted = [t for t in optim.TRAPS if t.backend in backend_names]
    if not wanted:
        return []
    run = train_backends(pool, [t.name for t in wanted], backend_names, seed=seed, on_event=on_event)
    out = []
    for t in wanted:
        r = next(r for r in run.results if r.spec == t.name and r.backend == t.backend)
        if r.status == "interrupted":
            continue
        params = specs.resolve(t.spec)[0].params  # the first parameter or optimizer state that fails
        first = next((c for c in r.failing() if base_quantity(c.quantity).rpartition(":")[2] in params), None)
        where = {"tap": first.quantity, "max_abs_err": first.max_abs_err, "max_rel_err": first.max_rel_err} \
            if first else None
        out.append(TrapResult(t.name, t.spec, t.backend, "float32", r.status, t.quantity, where,
                              f"[train --optimizer {t.optimizer}] {t.why}", {}, r.reason))
    return out


def table(results) -> str:
    def where(t):
        got = (t.first_divergence or {}).get("tap")
        return f"{got or '—'}" + ("" if t.localised or not t.caught else f" (expected {t.expected_tap})")

    rows = [("trap", "backend", "dtype", "caught", "first diverging tap", "blind spot")]
    for t in results:
        caught = "✓ caught" if t.caught else f"✗ {t.status}"
        blind = ", ".join(f"{d}: {'missed, as documented' if s == 'pass' else s}" for d, s in t.missed_in.items())
        rows.append((t.name, t.backend, t.dtype, caught, where(t), blind))
    widths = [max(len(r[i]) for r in rows) + 2 for i in range(len(rows[0]))]
    lines = ["".join(c.ljust(w) for c, w in zip(r, widths)).rstrip() for r in rows]
    lines.append("")
    seen = set()
    for t in results:
        if t.name in seen:
            continue
        seen.add(t.name)
        lines += textwrap.wrap(f"{t.name}: {t.explanation}", 100, subsequent_indent="    ") + [""]
    bad = [t for t in results if not t.ok]
    lines.append(f"{len(results) - len(bad)} of {len(results)} traps caught and localised"
                 + (f"; NOT: {', '.join(f'{t.name}[{t.backend}]' for t in bad)}" if bad else ""))
    return "\n".join(lines)


def markdown(results) -> str:
    """The "what blockparity catches" table of docs/traps.md: one row per trap, its frameworks merged."""
    by_name: dict = {}
    for t in results:
        by_name.setdefault(t.name, []).append(t)
    lines = ["| trap | block | frameworks | caught at | dtype | the mistake |", "|---|---|---|---|---|---|"]
    for name, ts in by_name.items():
        t = ts[0]
        fws = ", ".join(x.backend + ("" if x.ok else " (NOT caught)") for x in ts)
        tap = "`{}`".format((t.first_divergence or {}).get("tap") or "—")
        blind = f" ({', '.join(t.missed_in)}: missed)" if t.missed_in else ""
        lines.append(f"| `{name}` | `{t.spec}` | {fws} | {tap} | {t.dtype}{blind} | {t.explanation.split('. ')[0]}. |")
    return "\n".join(lines)
