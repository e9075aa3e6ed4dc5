"""How two arrays are compared, and how gradients are checked without trusting any framework.

Errors are normwise: ``max_abs_err = max|got - want|`` and ``max_rel_err = max_abs_err / max|want|``
(``max_abs_err`` itself when ``want`` is all zeros), so one number per quantity is comparable across
blocks and dtypes; a check passes when ``max_rel_err <= tolerance``. Shapes are compared before values,
and NaN or Inf in either array is a failure with a note, never agreement.

Gradients get two independent checks:

* cross-framework: each backend's gradient against the element-wise median of every backend's gradient
  for the same quantity (robust to one wrong framework when three or more run);
* framework-free: the directional derivative ``<grad, u>`` along seeded random directions ``u`` against a
  central difference of the float64 reference loss ``sum(reference(...) * cotangent)``. A direction along
  which the loss is not smooth within the step (a ReLU kink, a max-pool tie, the loop count of
  FixedHiddenMLP changing) is discarded and another drawn, so a kink cannot fail a correct backend, and a
  gradient that is zero or wrong cannot agree with the reference.
"""

from __future__ import annotations

import dataclasses
import math
import re
import warnings

import numpy as np

from harness.data import rng, run_reference
from harness.spec import MaxPoolTie

# The central difference (step h = FD_STEP of the quantity's scale) is accurate to ~h^2 (truncation) plus
# ~1e-16/h (rounding), both far below FD_TOLERANCE; in float32 the backend's own rounding (~1e-6 on
# these sums) dominates. A wrong gradient misses by O(1). Segment slopes of a smooth loss differ by
# ~h * curvature (~1e-6 relative); a kink makes them differ by the size of its jump.
FD_STEP = 1e-6
FD_SMOOTH = 1e-4
FD_TOLERANCE = {"float32": 1e-4, "float64": 1e-6}
FD_DIRECTIONS = 2
FD_MARGIN = 10
# Rounding of the float64 loss, seen in the slopes, is a few times eps * terms / h (``resolution``); a loss
# flat to within FD_FLAT times that is smooth, whatever the CPU's rounding makes of it.
FD_FLAT = 1000
# The central difference's rounding is ~1/6 of the slopes' second differences (both are sums of the same
# rounding errors, /2h and *sqrt(20)/h), and below eps * terms / h. Measured on LeNet: <= 1/7 of it.
FD_NOISE = 4


@dataclasses.dataclass
class Check:
    quantity: str
    max_abs_err: float | None
    max_rel_err: float | None
    passed: bool
    note: str = ""
    fd_rel_err: float | None = None  # gradients only: the framework-free directional check
    mode: str | None = None
    tolerance: float | None = None  # the max_rel_err it was held to
    divergent: bool = False  # a declared known divergence (never a pass); ``note`` says why
    statistic: bool = False  # a statistic within a band (dropout's dropped fraction), not an error
    alone: bool = False  # a gradient with no other framework to compare with: judged by its directions alone

    def as_json(self) -> dict:
        d = {"quantity": self.quantity, "max_abs_err": self.max_abs_err, "max_rel_err": self.max_rel_err,
             "passed": bool(self.passed), "tolerance": self.tolerance}
        if self.fd_rel_err is not None:
            d["fd_rel_err"] = self.fd_rel_err
        if self.mode is not None:
            d["mode"] = self.mode
        if self.divergent:
            d["divergent"] = True
        if self.statistic:
            d["statistic"] = True
        if self.alone:
            d["alone"] = True
        if self.note:
            d["note"] = self.note
        return d


def nonfinite_note(a: np.ndarray, what: str) -> str:
    bad = ~np.isfinite(a)
    if not bad.any():
        return ""
    kinds = [k for k, m in (("NaN", np.isnan(a)), ("Inf", np.isinf(a))) if m.any()]
    return f"{'/'.join(kinds)} in {what} ({int(bad.sum())} of {a.size} elements)"


def compare(quantity: str, got, want: np.ndarray, tolerance: float) -> Check:
    """Compare ``got`` (a backend's array, or None when it returned none) with ``want``."""
    if got is None:
        return Check(quantity, None, None, False, "absent: the backend returned no value (e.g. gradient None)",
                     tolerance=tolerance)
    got = np.asarray(got)
    if got.shape != want.shape:
        return Check(quantity, None, None, False, f"shape {got.shape} != expected {want.shape}", tolerance=tolerance)
    note = nonfinite_note(got, "the backend's value") or nonfinite_note(want, "the value compared against")
    if note:
        return Check(quantity, None, None, False, note, tolerance=tolerance)
    diff = np.abs(got.astype(np.float64) - want.astype(np.float64))
    abs_err = float(diff.max()) if diff.size else 0.0
    scale = float(np.abs(want).max()) if want.size else 0.0
    rel_err = abs_err / scale if scale > 0 else abs_err
    return Check(quantity, abs_err, rel_err, rel_err <= tolerance, tolerance=tolerance)


def base_quantity(quantity: str) -> str:
    """The quantity without its training step: ``step2:state:running_var`` -> ``state:running_var``."""
    return re.sub(r"^step\d+:", "", quantity)


def dropout_checks(spec, case, arrays: dict, tolerance: float) -> list[Check]:
    """Training-mode dropout, where each framework draws its own mask, checked by what any right mask gives.

    ``x`` is the block's evaluation-mode output: a dropout layer's input, or what a block that ends in
    dropout (``PositionalEncoding``) gives before it. With ``m`` the kept positions (``output != 0``)
    and ``p`` the drop probability: every output is 0 or ``x / (1 - p)``; the dropped fraction lies
    within 4 binomial standard deviations of ``p`` (a false alarm about once in 16,000 draws; a swapped
    keep/drop probability or a missing rescale is far outside); the input gradient is
    ``m * cotangent / (1 - p)`` with the same mask (the input reaches the dropout through an identity or
    a constant shift).
    """
    p = spec.dropout
    x = run_reference(spec, case.inputs, case.params, case.constants, mode="eval")["output"]
    ct = next(iter(case.cotangents.values())).astype(np.float64)
    y, g = arrays.get("output"), arrays.get("grad:input")
    if y is None or np.shape(y) != x.shape:
        return [compare("output", y, x, tolerance)]  # absent or wrong shape: says which
    y = y.astype(np.float64)
    kept = y != 0
    scaled = np.where(kept, x / (1 - p), 0.0)
    out = compare("output", y, scaled, tolerance)
    out.note = out.note or f"training mode: each output is 0 or x/(1-p) (p={p})"
    band = 4 * math.sqrt(p * (1 - p) / x.size)
    frac = 1.0 - float(kept.mean())
    fraction = Check("dropped_fraction", abs(frac - p), abs(frac - p) / p, abs(frac - p) <= band,
                     f"dropped {frac:.3f} of {x.size}; 4-sigma band {p:.2f} ± {band:.3f}", statistic=True,
                     tolerance=band / p)
    grad = compare("grad:input", g, kept * ct / (1 - p), tolerance)
    grad.note = grad.note or "training mode: the output's mask times the cotangent, divided by 1-p"
    return [out, fraction, grad]


def judge_gradient(quantity: str, got, want: np.ndarray, tolerance: float, dtype: str, *, zero=None,
                   scale: float = 0.0, scale_of: str = "", directions=(), alone: bool = False, ties=()) -> Check:
    """The one verdict on a gradient, for ``compare`` and ``train`` alike.

    ``zero`` (a ``harness.spec.ZeroGrad``): zero by construction, so ``max|got|`` is measured against
    ``scale`` (the size of ``scale_of``'s gradient), never relative to itself, and no direction is drawn.
    Otherwise: against ``want``, the median of the backends' gradients (``alone``: that is this backend's
    own, which says nothing, so the directional check decides by itself), and along each of
    ``directions`` against the float64 reference's central difference. ``ties``: max-pool ties in the
    reference, where the gradient is a per-framework convention: nothing can be checked, so it fails.
    """
    if zero is not None:
        check = compare(quantity, got, np.zeros(np.shape(want)), tolerance)
        if check.max_abs_err is not None:
            check.max_rel_err = check.max_abs_err / scale if scale > 0 else check.max_abs_err
            check.passed = check.max_rel_err <= tolerance
        check.note = check.note or f"zero by construction ({zero.why}); compared with 0 at the scale of {scale_of}"
        return check
    check = compare(quantity, got, want, tolerance)
    if check.max_abs_err is None:  # absent, misshapen or not finite: said
        return check
    if alone:
        check.max_abs_err = check.max_rel_err = None
        check.passed, check.alone = True, True
        check.note = "one backend: no other framework to compare with; judged by the directional check alone"
    if directions:
        check.fd_rel_err = directional_error(got, directions)
        if check.max_rel_err is None:
            check.max_abs_err = max(abs(float(np.sum(np.asarray(got, np.float64) * d.u)) - d.derivative)
                                    for d in directions)
            check.max_rel_err = check.fd_rel_err
        limit = fd_limit(tolerance, dtype)
        if not np.isfinite(check.fd_rel_err) or check.fd_rel_err > limit:
            check.passed = False
            check.note = (f"directional derivative is off the float64 reference's central difference by "
                          f"{check.fd_rel_err:.1e} (limit {limit:.0e})")
    elif alone:
        check.passed = False
        check.note = ("one backend and no framework-free check (the reference loss is not smooth along any "
                      f"of {4 * FD_DIRECTIONS} random directions): this gradient cannot be judged")
    elif check.passed:
        check.note = ("no framework-free check: the reference loss was not smooth along any of "
                      f"{4 * FD_DIRECTIONS} random directions")
    if ties:  # the spec assumes none; agreement there would prove nothing
        check.passed = False
        check.note = (f"{ties[0]} in the reference: the gradient at a tie is a per-framework convention and "
                      "cannot be checked (the spec assumes no ties)")
    return check


def fd_limit(tolerance: float, dtype: str) -> float:
    """The directional check's limit: FD_TOLERANCE, or FD_MARGIN times the block's own tolerance where that
    is looser (a BatchNorm shift's gradient sums thousands of cancelling terms, and its float32 rounding
    is as much the directional check's as the comparison's). A wrong gradient misses by O(1)."""
    return max(FD_TOLERANCE[dtype], FD_MARGIN * tolerance)


def gradient_scales(spec, mode: str, grads: dict) -> dict:
    """quantity -> (scale, what it is) for each gradient declared zero by construction in ``mode``
    (``ZeroGrad``): the size it is measured against. ``grads``: quantity -> the consensus gradient."""
    zero = {q: spec.zero_grad(key, mode) for q, (kind, key) in gradient_quantities(spec).items() if kind == "param"}
    zero = {q: z for q, z in zero.items() if z}
    largest = max((float(np.abs(g).max()) for q, g in grads.items() if q not in zero and g.size), default=0.0)
    out = {}
    for q, z in zero.items():
        if z.scale:
            g = grads.get(f"grad:{z.scale}")
            out[q] = (float(np.abs(g).max()) if g is not None and g.size else 0.0, f"grad:{z.scale}")
        else:
            out[q] = (largest, "the block's largest gradient")
    return out


def consensus(arrays: list) -> np.ndarray:
    """Element-wise median of the backends' arrays (float64)."""
    return np.median(np.stack([np.asarray(a, dtype=np.float64) for a in arrays]), axis=0)


@dataclasses.dataclass
class Direction:
    quantity: str  # "grad:input" / "grad:input:<name>" / "grad:<param>"
    u: np.ndarray
    derivative: float  # d/dt loss(q + t u) at t = 0, from the float64 reference
    noise: float = 0.0  # how finely the reference resolves it: its rounding, seen in the slopes


def _loss(spec, case, inputs, params) -> float:
    with warnings.catch_warnings():  # a tie at the case itself is reported once, by make_case
        warnings.simplefilter("ignore", MaxPoolTie)
        out = run_reference(spec, inputs, params, case.constants, mode=case.mode, state=case.state)
    return float(sum(np.sum(out[k] * case.cotangents[k].astype(np.float64)) for k in out))


def gradient_quantities(spec) -> dict:
    """Map quantity name -> (kind, key) for every gradient a backend returns."""
    diff_inputs = [k for k, i in spec.inputs.items() if i.differentiable]
    q = {}
    for k in diff_inputs:
        q["grad:input" if len(spec.inputs) == 1 else f"grad:input:{k}"] = ("input", k)
    for k in spec.params:
        q[f"grad:{k}"] = ("param", k)
    return q


def _loss_along(spec, case, kind, key, u, steps) -> list:
    """The reference loss at ``q + t u`` for each t in ``steps``, q being one input or parameter."""
    inputs = {k: (v.astype(np.float64) if v.dtype.kind == "f" else v) for k, v in case.inputs.items()}
    params = {k: v.astype(np.float64) for k, v in case.params.items()}
    moved = inputs if kind == "input" else params
    base = moved[key]
    out = []
    for t in steps:
        moved[key] = base + t * u
        out.append(_loss(spec, case, inputs, params))
    return out


def reference_directions(spec, case, seed: int, dtype: str, draw: int | None = None,
                         seen: list | None = None, loss_along=None, at_zero: float | None = None) -> list[Direction]:
    """Float64 directional derivatives of the reference loss, FD_DIRECTIONS per gradient quantity.

    The loss is evaluated at t = -2h, -h, 0, h, 2h along each direction. Where it is smooth, the four
    segment slopes agree to ~h * curvature; a kink anywhere in [-2h, 2h] (including at t = 0, where a
    plain central difference would silently average the two sides) makes them disagree, and the direction
    is replaced. The derivative kept is the central difference (f(h) - f(-h)) / 2h, with its resolution:
    where the loss is large next to this derivative (deep sigmoid nets: LeNet's first bias), float64
    rounding of the loss divided by h is not negligible, and the check must not blame a backend for it.
    A mode whose output is random (dropout training) has no reference, and no directions. ``draw``: another
    set of random directions than the run's (the tests re-run the decisions under other draws);
    ``seen``: see ``smooth_directions``. ``loss_along(kind, key, u, steps)`` and ``at_zero``: the loss of a
    reference that is a realisation (``reference="torch"``, ``harness.realised``) instead of the NumPy one.
    """
    found = []
    if case.outputs is None:
        return found
    # float64 rounds the loss to ~eps * (the size of the terms it sums); divided by h, that is the least
    # the central difference cannot resolve. The slopes' second differences show what it actually is.
    terms = sum(float(np.sum(np.abs(case.outputs[k] * case.cotangents[k]))) for k in case.outputs)
    if loss_along is None:
        at_zero = _loss(spec, case, case.inputs, case.params)  # the same point for every direction
        loss_along = lambda kind, key, u, steps: _loss_along(spec, case, kind, key, u, steps)  # noqa: E731
    for quantity, (kind, key) in gradient_quantities(spec).items():
        if kind == "param" and spec.zero_grad(key, case.mode):  # declared zero: no direction to draw
            continue
        x0 = (case.inputs if kind == "input" else case.params)[key]
        g = rng(seed, spec.name, "direction", quantity, dtype, *(() if case.mode == "eval" else (case.mode,)),
                *(() if draw is None else (f"draw{draw}",)))
        found += smooth_directions(quantity, x0, lambda u, steps, kind=kind, key=key:
                                   loss_along(kind, key, u, steps), g, terms, at_zero, seen)
    return found


def resolution(terms: float, h: float) -> float:
    """The least slope a float64 loss whose terms add up to ``terms`` resolves with step ``h``."""
    return float(np.finfo(np.float64).eps) * terms / h


def smoothness(slopes, resolution: float) -> float:
    """How far the four segment slopes are from a smooth loss's, as a fraction of what one allows: <= 1 is
    smooth. Measured by the slopes' second differences: a curvature moves the slopes linearly and leaves
    them ~0 (so a strongly curved loss is as clearly smooth as a straight one), a kink anywhere in
    [-2h, 2h] puts its jump into them. Allowed: FD_SMOOTH of the slopes plus FD_FLAT times the loss's
    resolution, so a loss flat up to rounding counts as smooth (its derivative is 0 to within what the
    reference resolves) instead of being judged on its rounding noise, which differs between CPUs."""
    allowed = FD_SMOOTH * float(np.abs(slopes).max()) + FD_FLAT * resolution
    jump = float(np.abs(np.diff(slopes, 2)).max())
    return jump / allowed if allowed > 0 else 0.0


def smooth(slopes, resolution: float) -> bool:
    return smoothness(slopes, resolution) <= 1.0


def smooth_directions(quantity: str, x0, loss_along, g: np.random.Generator, terms: float = 0.0,
                      at_zero: float | None = None, seen: list | None = None) -> list:
    """Up to FD_DIRECTIONS random directions along which ``loss_along(u, steps)`` is smooth, with the
    loss's central-difference derivative along each and its resolution (see ``reference_directions``;
    ``terms``: the size of the terms the loss sums; ``at_zero``: the loss at t = 0, if already known;
    ``seen``: a list to which each direction tried adds (quantity, its ``smoothness``))."""
    h = FD_STEP * max(float(np.abs(x0).max()), 1e-3)
    found = []
    for _ in range(4 * FD_DIRECTIONS):
        u = g.standard_normal(np.shape(x0))
        u /= np.abs(u).max()
        if at_zero is None:
            f = loss_along(u, (-2 * h, -h, 0.0, h, 2 * h))
        else:
            f = loss_along(u, (-2 * h, -h, h, 2 * h))
            f.insert(2, at_zero)
        slopes = np.diff(f) / h
        if seen is not None:
            seen.append((quantity, smoothness(slopes, resolution(terms, h))))
        if smooth(slopes, resolution(terms, h)):
            noise = max(float(np.abs(np.diff(slopes, 2)).max()), resolution(terms, h))
            found.append(Direction(quantity, u, (f[3] - f[1]) / (2 * h), noise))
            if len(found) == FD_DIRECTIONS:
                break
    return found


def directional_error(grad: np.ndarray, directions: list[Direction]) -> float | None:
    """Worst relative disagreement between ``<grad, u>`` and the reference derivative over the directions.

    Relative to ``sum|grad * u|`` (the size of the terms being added) or the reference derivative, whichever
    is larger, so a zero gradient against a non-zero derivative gives 1.0 and float32 rounding stays ~1e-7.
    Disagreement within FD_NOISE times the reference's resolution along ``u`` is not counted: that is
    at most ~FD_SMOOTH of the slopes (which the smoothness test bounds) or eps * terms / h, ~1e-8 here.
    """
    if not directions:
        return None
    g = np.asarray(grad, dtype=np.float64)
    worst = 0.0
    for d in directions:
        got = float(np.sum(g * d.u))
        scale = max(float(np.sum(np.abs(g * d.u))), abs(d.derivative))
        err = max(abs(got - d.derivative) - FD_NOISE * d.noise, 0.0) / scale if scale > 0 else 0.0
        worst = max(worst, err)
    return worst
