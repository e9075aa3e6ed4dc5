"""Where a failing result starts to go wrong.

Forward: the spec's taps, in forward order, each against the reference's value at the same point; the
first that disagrees is the first divergence (and if every tap agrees, the output itself). Backward, when
every output agrees but a gradient does not: parameters grouped by the module that owns them, modules
walked from the output back to the input, the first diverging parameter named (then the input).
"""

from __future__ import annotations

import numpy as np

from harness import checks
from harness.data import run_reference


def reference_taps(spec, case) -> dict:
    """The float64 reference's value at every tap (the first time the reference passes it)."""
    if case.taps is not None:  # a realisation is the reference: the taps its float64 run exposed
        return case.taps
    seen: dict = {}

    def tap(name, value):
        seen.setdefault(name, np.array(value, dtype=np.float64))
        return value

    run_reference(spec, case.inputs, case.params, case.constants, tap=tap, mode=case.mode, state=case.state)
    missing = [t for t in spec.taps if t not in seen]
    if missing:
        raise ValueError(f"spec {spec.name!r} declares taps {missing} that its reference never passes")
    return seen


def tap_checks(spec, case, tapped: dict, tolerance: float) -> list:
    """A check per tap the realisation exposes (``tap:<name>``), against the reference at that point."""
    ref = reference_taps(spec, case) if spec.taps else {}
    return [checks.compare(f"tap:{name}", tapped[f"tap:{name}"], ref[name], tolerance)
            for name in spec.taps if f"tap:{name}" in tapped]


def _divergence(check) -> dict:
    d = {"tap": check.quantity, "max_abs_err": check.max_abs_err, "max_rel_err": check.max_rel_err}
    if check.fd_rel_err is not None:
        d["fd_rel_err"] = check.fd_rel_err
    if check.note:
        d["note"] = check.note
    return d


def forward(spec, case, tapped: dict, tolerance: float, output_checks) -> dict | None:
    """The first tap (then output) at which ``tapped`` (``tap:<name>`` arrays) leaves the reference."""
    ref = reference_taps(spec, case) if spec.taps else {}
    unseen = []  # taps this realisation has no module for (a function such as flax's nn.relu)
    found = None
    for name in spec.taps:
        got = tapped.get(f"tap:{name}")
        if got is None:
            unseen.append(name)
            continue
        check = checks.compare(name, got, ref[name], tolerance)
        if not check.passed:
            found = _divergence(check)
            break
    if found is None:
        failed = [c for c in output_checks if not c.passed]
        if not failed:
            return None
        found = _divergence(failed[0]) | {"tap": failed[0].quantity}
    if unseen:
        found["unseen"] = unseen
        found["note"] = (found.get("note", "") + "; " if found.get("note") else "") + (
            f"not observable in this realisation (no module there): {', '.join(unseen)}")
    return found


def state(mode_checks) -> dict | None:
    """The first state buffer that diverges when outputs and gradients agree (a running statistic)."""
    for check in mode_checks:
        if check.quantity.startswith("state:") and not check.passed and not check.divergent:
            return _divergence(check) | {"tap": check.quantity.removeprefix("state:")}
    return None


def backward(spec, grad_checks) -> dict | None:
    """The first diverging parameter gradient walking from the output back, then the input gradient."""
    by_quantity = {c.quantity: c for c in grad_checks}
    owners: dict = {}
    for name in spec.params:  # spec order is forward order; a module's parameters stay together
        owners.setdefault(name.rpartition(".")[0], []).append(name)
    for owner in reversed(list(owners)):
        for name in owners[owner]:
            check = by_quantity.get(f"grad:{name}")
            if check is not None and not check.passed:
                return _divergence(check) | {"tap": name}
    for quantity, check in by_quantity.items():
        if quantity.startswith("grad:input") and not check.passed:
            return _divergence(check) | {"tap": quantity.removeprefix("grad:")}
    return None
