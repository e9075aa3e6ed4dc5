"""``init:<param>``: each realisation initialises itself (d2l §6.3), and no weight is copied in.

A spec declares the distribution its realisations' own initialisation draws each parameter from
(``Param.initialised``); the worker's "init" op builds the model ``draws`` times (seeds ``seed * 1000 + k``),
as a reader's code builds it, and returns every parameter in canonical layout, stacked over the draws.
Each parameter is then held to its declaration, in the coordinator (scipy, float64), framework by
framework, as dropout's masks are (``harness.checks.dropout_checks``): no framework votes on another.

* Deterministic declarations ("zeros", "ones", "constant:<v>") are compared exactly.
* Random ones by what any correct draw satisfies: every value inside the declared support (bounds, with
  4 ulp of slack for the draw's own rounding), and the Kolmogorov–Smirnov distance ``D`` between the
  values' empirical CDF and the declared CDF, scaled as ``lambda = sqrt(n) * D``. By the
  Dvoretzky–Kiefer–Wolfowitz inequality with Massart's constant, ``P(lambda > x) <= 2 exp(-2 x^2)`` for
  every n and every distribution (an atom, as in the book's custom initialiser, only makes ``lambda``
  smaller), so the threshold ``KS_LIMIT = 6`` has a false-alarm probability <= 2 e^-72 ~ 1.1e-31 per
  check. A correct draw's ``lambda`` is ~0.9 (the median of the Kolmogorov distribution), and the
  catalogue's seeded draws stay below KS_LIMIT / 3 (tests/test_init.py): a verdict that far from its
  threshold cannot be moved by a machine. The draw is the framework's own seeded generator; what a CPU
  may change is the rounding of each value (a few ulp), which moves ``D`` by at most the few samples that
  sit within those ulp of a point, ~1/n, against a margin of 4/sqrt(n).
* The fan of a Linear weight (out, in) or conv weight (O, I, kH, kW) is PyTorch's: ``fan_in = in * kH *
  kW``, ``fan_out = O * kH * kW``, on the canonical layout. The adapter maps each framework's kernel into
  that layout (Keras and flax hold (in, out) and (kH, kW, I, O)), so a framework whose initialiser reads
  the fans from the wrong axes (a kernel treated as transposed) draws from the wrong scale and fails.

``compare.py init`` also measures each framework's *defaults* (``DEFAULT_PROBES``): existing blocks built
with the layers' defaults, each parameter fitted against ``CANDIDATES`` with the same tests, on the
native array with the framework's own fan convention; the report names every candidate that passes.
"""

from __future__ import annotations

import dataclasses
import math

import numpy as np

KS_LIMIT = 6.0
FALSE_ALARM = 2 * math.exp(-2 * KS_LIMIT ** 2)  # ~1.1e-31, DKW-Massart, any n
MIN_SAMPLES = 2048  # values per random parameter, pooled over re-initialisations
MAX_DRAWS = 64
ORTHOGONAL_LIMIT = 1e-4  # max |Q^T Q / s^2 - I|: float32 rounding of a QR is ~1e-6

# declaration -> what it means; fans are PyTorch's on the canonical shape (see fans())
DISTRIBUTIONS = {
    "zeros": "0",
    "ones": "1",
    "constant:<v>": "v",
    "normal:<mean>:<std>": "N(mean, std^2)",
    "uniform:<a>:<b>": "U(a, b)",
    "fan_in_uniform": "U(±1/sqrt(fan_in)): PyTorch's Linear/Conv default (kaiming_uniform(a=sqrt(5)) for the "
                      "weight; the bias from its weight's fan-in)",
    "xavier_uniform": "U(±sqrt(6/(fan_in+fan_out))): init.xavier_uniform_, Keras glorot_uniform",
    "lecun_normal": "N(0, 1/fan_in) truncated at ±2 std and rescaled to variance 1/fan_in (flax, Keras)",
    "normal_fan_in": "N(0, 1/fan_in), not truncated (flax's Embed: fan_in as its variance_scaling reads it)",
    "hidden_uniform": "U(±1/sqrt(hidden)): PyTorch's RNN/GRU/LSTM default, every weight and bias",
    "orthogonal": "a matrix with orthonormal rows or columns (any scale): Keras, flax recurrent kernels",
    "d2l_custom": "the book's my_init: U(-10, 10), then every |w| < 5 set to 0: a mixture, an atom of "
                  "mass 1/2 at 0 and 1/4 uniform on each of [-10, -5] and [5, 10]",
}


def fans(shape, convention="out_in") -> tuple:
    """(fan_in, fan_out) of a weight: "out_in" (PyTorch, Gluon: (out, in, *kernel)) or "in_out" (Keras,
    flax: (*kernel, in, out)); a 1-D array has fan_in = fan_out = its size."""
    shape = tuple(shape)
    if len(shape) < 2:
        n = int(np.prod(shape)) if shape else 1
        return n, n
    if convention == "out_in":
        rf = math.prod(shape[2:])
        return shape[1] * rf, shape[0] * rf
    rf = math.prod(shape[:-2])
    return shape[-2] * rf, shape[-1] * rf


@dataclasses.dataclass(frozen=True)
class Dist:
    """A declared distribution, its scale resolved: a value, or a CDF with its support."""

    text: str
    value: float | None = None
    cdf: object = None  # F(x); cdf_left(x) = P(X < x), equal to F where there is no atom
    cdf_left: object = None
    support: tuple = (-math.inf, math.inf)
    orthogonal: bool = False


def resolve(decl: str, fan_in: int, fan_out: int, hidden: int | None = None) -> Dist:
    """The declaration ``decl`` for a parameter with these fans (``hidden``: a recurrent layer's size)."""
    from scipy import stats

    kind, _, rest = decl.partition(":")
    args = [float(a) for a in rest.split(":")] if rest else []
    if kind in ("zeros", "ones", "constant"):
        return Dist(decl, value={"zeros": 0.0, "ones": 1.0}.get(kind, args[0] if args else None))

    def uniform(a, b, text):
        return Dist(text, cdf=stats.uniform(a, b - a).cdf, support=(a, b))

    if kind == "uniform":
        return uniform(args[0], args[1], decl)
    if kind == "normal":
        d = stats.norm(args[0], args[1])
        return Dist(decl, cdf=d.cdf)
    if kind == "fan_in_uniform":
        s = 1 / math.sqrt(fan_in)
        return uniform(-s, s, f"U(±{s:.4g}) = U(±1/sqrt({fan_in}))")
    if kind == "hidden_uniform":
        s = 1 / math.sqrt(hidden or fan_in)
        return uniform(-s, s, f"U(±{s:.4g}) = U(±1/sqrt(hidden={hidden or fan_in}))")
    if kind == "xavier_uniform":
        s = math.sqrt(6 / (fan_in + fan_out))
        return uniform(-s, s, f"U(±{s:.4g}) = xavier_uniform({fan_in}, {fan_out})")
    if kind == "lecun_normal":  # jax/keras variance_scaling "truncated_normal": std / .87962566103423978
        s = math.sqrt(1 / fan_in) / 0.87962566103423978
        d = stats.truncnorm(-2, 2, scale=s)
        return Dist(f"lecun_normal(fan_in={fan_in})", cdf=d.cdf, support=(-2 * s, 2 * s))
    if kind == "normal_fan_in":
        d = stats.norm(0, math.sqrt(1 / fan_in))
        return Dist(f"N(0, 1/{fan_in})", cdf=d.cdf)
    if kind == "orthogonal":
        return Dist("orthogonal", orthogonal=True)
    if kind == "d2l_custom":
        def cdf(x, left=False):
            x = np.asarray(x, np.float64)
            tails = np.clip((x + 10) / 20, 0, 0.25) + np.clip((x - 5) / 20, 0, 0.25)
            atom = (x > 0) if left else (x >= 0)
            return tails + 0.5 * atom

        return Dist("d2l my_init: 1/2 at 0, 1/4 U(-10, -5), 1/4 U(5, 10)", cdf=cdf,
                    cdf_left=lambda x: cdf(x, left=True), support=(-10.0, 10.0))
    raise ValueError(f"unknown initialiser {decl!r}. Expected one of: {', '.join(DISTRIBUTIONS)}")


def ks_lambda(values, dist: Dist) -> float:
    """sqrt(n) * sup |F_n - F|, exact for any F (atoms included): both one-sided limits at every value."""
    x = np.sort(np.asarray(values, np.float64).ravel())
    n = x.size
    u, counts = np.unique(x, return_counts=True)
    right = np.cumsum(counts) / n
    left = right - counts / n
    f = np.asarray(dist.cdf(u), np.float64)
    f_left = np.asarray((dist.cdf_left or dist.cdf)(u), np.float64)
    return float(math.sqrt(n) * max(np.abs(right - f).max(), np.abs(left - f_left).max()))


@dataclasses.dataclass
class Verdict:
    passed: bool
    statistic: float  # lambda / KS_LIMIT (random), the orthogonality error / its limit, or max|v - c|
    note: str


def judge(values, dist: Dist, dtype: str) -> Verdict:
    """Whether ``values`` (every draw of one parameter) could come from ``dist``."""
    v = np.asarray(values, np.float64)
    if v.size == 0:
        return Verdict(False, math.inf, "no values")
    if not np.all(np.isfinite(v)):
        return Verdict(False, math.inf, "NaN/Inf among the values")
    if dist.value is not None:
        want = float(np.asarray(dist.value, dtype))
        err = float(np.abs(v - want).max())
        return Verdict(err == 0, err, f"exactly {dist.text}" if err == 0 else
                       f"max|w - {want:g}| = {err:.3g}, expected exactly {dist.text}")
    if dist.orthogonal:
        m = v.reshape(-1, v.shape[-2], v.shape[-1]) if v.ndim >= 2 else v.reshape(1, 1, -1)
        worst = 0.0
        for q in m:
            g = q.T @ q if q.shape[0] >= q.shape[1] else q @ q.T
            s2 = np.trace(g) / g.shape[0]
            if not s2 > 0:  # all zeros: no scale makes it orthonormal
                return Verdict(False, math.inf, "all zeros: not orthogonal")
            worst = max(worst, float(np.abs(g / s2 - np.eye(g.shape[0])).max()))
        return Verdict(worst <= ORTHOGONAL_LIMIT, worst / ORTHOGONAL_LIMIT,
                       f"orthonormal to {worst:.1e} (limit {ORTHOGONAL_LIMIT:.0e})")
    lo, hi = dist.support
    slack = 4 * float(np.finfo(dtype).eps) * max(abs(lo), abs(hi)) if math.isfinite(lo) else 0.0
    outside = int(((v < lo - slack) | (v > hi + slack)).sum())
    lam = ks_lambda(v, dist)
    bounds = f"; range [{v.min():.4g}, {v.max():.4g}], support [{lo:.4g}, {hi:.4g}]" if math.isfinite(lo) else ""
    note = (f"KS sqrt(n)·D = {lam:.2f} (limit {KS_LIMIT:g}, false alarm <= {FALSE_ALARM:.0e}), n = {v.size}"
            f"{bounds}" + (f": {outside} outside" if outside else ""))
    return Verdict(lam <= KS_LIMIT and not outside, lam / KS_LIMIT, f"{dist.text}: {note}")


def draws_for(spec) -> int:
    """Re-initialisations enough for MIN_SAMPLES values of the smallest randomly declared parameter."""
    sizes = [math.prod(p.shape) for p in spec.params.values() if p.initialised and _random(p.initialised)]
    return min(MAX_DRAWS, max(1, math.ceil(MIN_SAMPLES / min(sizes)))) if sizes else 1


def _random(decl: str) -> bool:
    return decl.partition(":")[0] not in ("zeros", "ones", "constant")


def declared_fans(spec, name: str) -> tuple:
    """PyTorch's (fan_in, fan_out) of a canonical parameter; a bias takes its weight's."""
    shape = spec.params[name].shape
    if len(shape) >= 2:
        return fans(shape)
    sibling = name.rsplit(".", 1)[0] + ".weight" if "." in name else "weight"
    return fans(spec.params[sibling].shape) if sibling in spec.params else fans(shape)


def init_checks(spec, arrays: dict, dtype: str) -> list:
    """``init:<param>`` for every parameter the spec declares (``Param.initialised``); ``arrays`` holds
    ``init:<param>`` (draws, *canonical shape) from one backend."""
    from harness.checks import Check

    out = []
    for name, p in spec.params.items():
        if not p.initialised:
            continue
        q, got = f"init:{name}", arrays.get(f"init:{name}")
        if got is None:
            out.append(Check(q, None, None, False, "absent: the backend returned no initial value", statistic=True))
            continue
        if tuple(got.shape[1:]) != tuple(p.shape):
            out.append(Check(q, None, None, False, f"shape {tuple(got.shape[1:])} != expected {tuple(p.shape)}",
                             statistic=True))
            continue
        v = judge(got, resolve(p.initialised, *declared_fans(spec, name)), dtype)
        out.append(Check(q, v.statistic, v.statistic, v.passed, v.note, statistic=True, tolerance=1.0))
    return out


def fit(values, shape, convention: str, hidden, dtype: str) -> list:
    """The names of the CANDIDATES ``values`` (draws of one native parameter of ``shape``) pass."""
    fan_in, fan_out = fans(shape, convention)
    found = []
    for c in CANDIDATES:
        if c == "orthogonal" and np.ndim(values) < 3:  # (draws, rows, columns)
            continue
        if c == "hidden_uniform" and not hidden:
            continue
        dist = resolve(c, fan_in, fan_out, hidden)
        if judge(values, dist, dtype).passed:
            found.append(dist.text if c not in ("zeros", "ones", "orthogonal") else c)
    return found


CANDIDATES = ("zeros", "ones", "fan_in_uniform", "hidden_uniform", "xavier_uniform", "lecun_normal",
              "normal_fan_in", "normal:0:1", "uniform:-0.05:0.05", "uniform:-0.07:0.07", "orthogonal")

# (layer kind, block, canonical prefix of its parameters): existing blocks whose realisations leave the
# layers' defaults as they are, each framework's own
DEFAULT_PROBES = (
    ("Dense/Linear", "mlp", "hidden."),
    ("Conv2d", "bn_lenet", "net.4."),
    ("BatchNorm", "bn_lenet", "net.5."),
    ("Embedding", "seq2seq_encoder", "embedding."),
    ("GRU", "seq2seq_encoder", "rnn.rnn."),
    ("LSTM", "lstm", "rnn."),
    ("LayerNorm", "layer_norm", ""),
    ("MultiHeadAttention", "multihead_attention_builtin", "attention."),
)

CONVENTIONS = {"torch": "out_in", "gluon": "out_in", "keras": "in_out", "flax": "in_out", "flax_nnx": "in_out"}
PROBE_DRAWS = 32  # at most: each probe block is built until its smallest parameter gives MIN_SAMPLES


def _jobs(todo, backend_names, dtype, seed, work, draws_of) -> tuple:
    """{backend: [init request]} and (backend, index) -> (name, spec); skipped rows as Results."""
    import backends
    from harness.data import make_case
    from harness.protocol import save_arrays
    from harness.run import Result

    jobs, slot_of, skipped = {b: [] for b in backend_names}, {}, []
    for name, spec, variant in todo:
        mode = spec.modes[0]
        path = work / f"{name}.init.{dtype}.npz"
        save_arrays(path, make_case(spec, seed, dtype, mode).arrays())
        for b in backend_names:
            gap = backends.info(b).GAPS.get(spec.module)
            if variant and variant.backends and b not in variant.backends:
                gap = f"the mistake {name} is about {', '.join(variant.backends)}, not {b}"
            if gap:
                skipped.append(Result(name, b, "skipped", gap, variant_of=spec.name if variant else None))
                continue
            slot_of[(b, len(jobs[b]))] = (name, spec, variant)
            jobs[b].append({"op": "init", "spec": name, "dtype": dtype, "mode": mode, "seed": seed,
                            "draws": draws_of(spec), "arrays": str(path),
                            "out": str(work / f"{name}.init.{dtype}.{b}.npz")})
    return jobs, slot_of, skipped


def init_backends(pool, names, backend_names, dtype="float32", seed=0, on_event=None, work=None):
    """``init:<param>`` of the blocks ``names`` (default: every block that declares an initialiser) in
    ``backend_names``: a ``harness.run.Run``, one Result per block and backend. ``work``: the folder for the
    request files (the CLI session's); without it, a temporary one that the run removes."""
    import specs
    from harness.protocol import work_folder

    names = names or [s.name for s in specs.all_specs() if any(p.initialised for p in s.params.values())]
    with work_folder(work, "blockparity-init-") as work:
        return _init_run(pool, names, backend_names, dtype, seed, work, on_event)


def _init_run(pool, names, backend_names, dtype, seed, work, on_event):
    import time

    from harness.protocol import load_arrays
    from harness.run import Result, Run, resolve_names

    started = time.perf_counter()
    todo = resolve_names(names)
    jobs, slot_of, results = _jobs(todo, backend_names, dtype, seed, work, draws_for)
    replies = pool.run({b: j for b, j in jobs.items() if j}, on_event)
    for (b, i), reply in sorted(replies.items()):
        name, spec, variant = slot_of[(b, i)]
        r = Result(name, b, "pass", reply.reason, native_params=reply.native_params, seconds=reply.seconds,
                   variant_of=spec.name if variant else None, detail=reply.detail)
        if reply.status != "ok":
            r.status = reply.status
        else:
            r.checks = init_checks(spec, load_arrays(jobs[b][i]["out"]), dtype)
            r.status = "pass" if all(c.passed for c in r.checks) else "fail"
            bad = next((c for c in r.checks if not c.passed), None)
            if bad:
                r.first_divergence = {"tap": bad.quantity, "max_abs_err": bad.max_abs_err,
                                      "max_rel_err": bad.max_rel_err, "note": bad.note}
        results.append(r)
    order = {(n, b): k for k, (n, b) in enumerate((n, b) for n, _, _ in todo for b in backend_names)}
    results.sort(key=lambda r: order[(r.spec, r.backend)])
    return Run(dtype, seed, list(backend_names), pool.versions(), results, time.perf_counter() - started)


def measure_defaults(pool, backend_names, dtype="float32", seed=0, on_event=None, work=None) -> list:
    """[(layer kind, parameter, {backend: what its default draws})] for DEFAULT_PROBES: every native
    parameter of the probed layer fitted against CANDIDATES (``fit``), or described when none passes."""
    from harness.protocol import work_folder

    with work_folder(work, "blockparity-defaults-") as work:
        return _measure_defaults(pool, backend_names, dtype, seed, on_event, work)


def _measure_defaults(pool, backend_names, dtype, seed, on_event, work) -> list:
    from harness.protocol import load_arrays
    from harness.run import resolve_names

    blocks = list(dict.fromkeys(block for _, block, _ in DEFAULT_PROBES))
    todo = resolve_names(blocks)
    def draws(spec):
        sizes = [math.prod(p.shape) for k, p in spec.params.items()
                 if any(k.startswith(pre) and b == spec.name for _, b, pre in DEFAULT_PROBES)]
        return min(PROBE_DRAWS, max(1, math.ceil(MIN_SAMPLES / min(sizes))))

    jobs, slot_of, _ = _jobs(todo, backend_names, dtype, seed, work, draws)
    replies = pool.run({b: j for b, j in jobs.items() if j}, on_event)
    rows = {}
    for (b, i), reply in sorted(replies.items()):
        name, spec, _ = slot_of[(b, i)]
        if reply.status != "ok":
            for kind, block, _ in DEFAULT_PROBES:
                if block == name:
                    rows.setdefault((kind, "—"), {})[b] = f"{reply.status}: {reply.reason}"
            continue
        arrays = load_arrays(jobs[b][i]["out"])
        inventory = reply.native_params
        shapes = {e["native"]: e["shape"] for e in inventory}
        hidden = next((p.shape[1] for k, p in spec.params.items() if "weight_hh" in k), None)
        for kind, block, prefix in DEFAULT_PROBES:
            if block != name:
                continue
            for k, e in enumerate(inventory):
                names = e.get("sources") or [e["canonical"]]
                if not all(n.startswith(prefix) for n in names) or "_l1" in e["canonical"]:
                    continue
                values, convention = arrays.get(f"init:{e['canonical']}"), "out_in"
                if values is not None and not e.get("sources"):  # canonical: PyTorch's fans, which Keras's and
                    shape = tuple(spec.params[e["canonical"]].shape)  # flax's on their own layout equal
                    head, _, tail = e["canonical"].rpartition("bias")
                    weight = spec.params.get(head + "weight" + tail)
                    if len(shape) == 1 and weight is not None:  # a bias: its layer's weight's fans
                        shape = tuple(weight.shape)
                else:  # fused or packed (a Keras LSTM bias, PyTorch's in_proj): native, its own fans
                    values, convention = arrays[f"native:{k}"], CONVENTIONS.get(b, "out_in")
                    shape = tuple(e["shape"])
                    if len(shape) == 1:
                        head, _, tail = e["native"].rpartition("bias")
                        shape = next((tuple(shapes[head + w + tail]) for w in ("weight", "kernel")
                                      if len(shapes.get(head + w + tail, ())) > 1), shape)
                found = fit(values, shape, convention, hidden, dtype)
                label = _short(names, prefix)
                rows.setdefault((kind, label), {})[b] = " / ".join(found) if found else describe(values)
    kinds = [k for k, _, _ in DEFAULT_PROBES]
    return sorted([(kind, label, by) for (kind, label), by in rows.items()], key=lambda r: kinds.index(r[0]))


def _short(names, prefix) -> str:
    return " + ".join(n[len(prefix):] for n in names)


def describe(values) -> str:
    """What a parameter that fits no candidate holds: its few values, or mean, std and range."""
    v = np.asarray(values, np.float64)
    u = np.unique(v)
    if u.size <= 3:
        return "none fits: values {" + ", ".join(f"{x:g}" for x in u) + "}"
    return f"none fits: mean {v.mean():.3g}, std {v.std():.3g}, range [{v.min():.3g}, {v.max():.3g}]"


def defaults_table(rows, backend_names) -> str:
    """The measured defaults, one line per layer parameter and framework."""
    lines = ["Each framework's default initialisers, measured (drawn and tested, not read from docs):", ""]
    width = max((len(f"{k} {p}") for k, p, _ in rows), default=10) + 2
    for kind, label, by in rows:
        for j, b in enumerate(backend_names):
            if b in by:
                head = f"{kind} {label}" if j == 0 or not any(x in by for x in backend_names[:j]) else ""
                lines.append(f"  {head:<{width}}{b:<7}{by[b]}")
    return "\n".join(lines)
