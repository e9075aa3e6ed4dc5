"""Deterministic inputs, parameters, constants and cotangents for a spec, drawn from ``--seed``.

Every array has its own random stream, keyed by (seed, spec name, array name), so adding a parameter to a
spec never changes the others. Values are drawn in float64 and rounded once to the run's dtype; the
reference then runs in float64 on exactly the rounded values every backend receives, so the only
difference left between a backend and the reference is the backend's own arithmetic.
"""

from __future__ import annotations

import dataclasses
import warnings
import zlib

import numpy as np

from harness.spec import MaxPoolTie, Spec


def rng(seed: int, *keys: str) -> np.random.Generator:
    return np.random.default_rng([seed, *(zlib.crc32(k.encode()) for k in keys)])


def _draw(g: np.random.Generator, shape, dist: str, bound: float | None = None) -> np.ndarray:
    if dist == "normal":
        return g.standard_normal(shape)
    if dist == "uniform":
        return g.random(shape)
    if dist.startswith("uniform:"):
        low, high = (float(v) for v in dist.split(":")[1:])
        return g.uniform(low, high, shape)
    if dist == "fan_in":
        return g.uniform(-bound, bound, shape)
    if dist.startswith("randint:"):
        bounds = [int(b) for b in dist.split(":")[1:]]
        return g.integers(*([0] if len(bounds) == 1 else []), *bounds, shape)
    raise ValueError(f"unknown distribution {dist!r}; expected one of normal, uniform, uniform:<low>:<high>, "
                     "fan_in, randint:<high>, randint:<low>:<high>")


@dataclasses.dataclass
class Case:
    """Everything one comparison needs, in canonical layout and the run's dtype (ints stay int64)."""

    inputs: dict
    params: dict
    constants: dict
    cotangents: dict  # by output name
    outputs: dict  # float64 reference outputs by name (None: random in this mode, e.g. dropout training)
    mode: str = "eval"
    state: dict = dataclasses.field(default_factory=dict)  # buffers before the call (run's dtype)
    new_state: dict = dataclasses.field(default_factory=dict)  # float64 reference buffers after it
    ties: list = dataclasses.field(default_factory=list)  # MaxPoolTie messages from the reference
    taps: dict | None = None  # the reference's taps when it is a realisation (None: the NumPy reference's)

    def arrays(self) -> dict:
        """The flat dict a worker receives: inputs, params, constants, state and cotangents, by key."""
        return {
            **{f"input:{k}": v for k, v in self.inputs.items()},
            **{f"param:{k}": v for k, v in self.params.items()},
            **{f"const:{k}": v for k, v in self.constants.items()},
            **{f"state:{k}": v for k, v in self.state.items()},
            **{f"cotangent:{k}": v for k, v in self.cotangents.items()},
        }


def as_outputs(spec: Spec, value) -> dict:
    values = value if isinstance(value, tuple) else (value,)
    if len(values) != len(spec.outputs):
        raise ValueError(f"spec {spec.name!r}: the reference returned {len(values)} outputs, "
                         f"the spec declares {len(spec.outputs)} {spec.outputs}")
    return {k: np.asarray(v, dtype=np.float64) for k, v in zip(spec.outputs, values)}


def reference_step(spec: Spec, inputs: dict, params: dict, constants: dict, mode: str = "eval",
                   state: dict | None = None, tap=None) -> tuple[dict, dict]:
    """The float64 reference outputs by output name, and the state buffers after the call (may be {})."""
    f64 = {k: (v.astype(np.float64) if v.dtype.kind == "f" else v) for k, v in inputs.items()}
    p64 = {k: v.astype(np.float64) for k, v in params.items()}
    c64 = {k: v.astype(np.float64) for k, v in constants.items()}
    extra = {} if tap is None else {"tap": tap}
    if spec.has_training_mode:
        extra["training"] = mode == "train"
    if not spec.state:
        return as_outputs(spec, spec.reference(*f64.values(), p64, c64, **extra)), {}
    s64 = {k: np.asarray(v, dtype=np.float64) for k, v in (state or {}).items()}
    out, new_state = spec.reference(*f64.values(), p64, c64, state=s64, **extra)
    return as_outputs(spec, out), {k: np.asarray(v, dtype=np.float64) for k, v in new_state.items()}


def run_reference(spec: Spec, inputs: dict, params: dict, constants: dict, tap=None, mode: str = "eval",
                  state: dict | None = None) -> dict:
    """The float64 reference outputs, by output name."""
    return reference_step(spec, inputs, params, constants, mode, state, tap)[0]


def reference_outputs(spec: Spec, inputs: dict, params: dict, constants: dict, mode: str = "eval",
                      state: dict | None = None) -> tuple[dict, dict, list]:
    """The reference outputs, the state after the call, and the max-pool ties (``specs._ops.MaxPoolTie``)
    met on the way."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", MaxPoolTie)
        outputs, new_state = reference_step(spec, inputs, params, constants, mode, state)
    return outputs, new_state, [str(w.message) for w in caught if issubclass(w.category, MaxPoolTie)]


def _drawn(spec: Spec, seed: int, kind: str, declared: dict, rounded) -> dict:
    return {k: rounded(_draw(rng(seed, spec.name, kind, k), p.shape, p.init,
                             1 / np.sqrt(spec.fan_in(k)) if p.init == "fan_in" else None))
            for k, p in declared.items()}


def draw_arrays(spec: Spec, seed: int, dtype: str, given: dict | None = None) -> tuple[dict, dict, dict, dict]:
    """The inputs, parameters, constants and state of every mode's case, rounded to ``dtype``.

    ``given``: the user's arrays by protocol key (``input:x``, ``param:hidden.weight``, ``const:...``,
    ``state:...``; harness.userfiles) in place of the drawn ones, rounded to ``dtype`` as drawn values are.
    """
    def rounded(a):
        return a.astype(dtype) if a.dtype.kind == "f" else a.astype(np.int64)

    inputs = {k: rounded(_draw(rng(seed, spec.name, "input", k), i.shape, i.dist)) for k, i in spec.inputs.items()}
    params = _drawn(spec, seed, "param", spec.params, rounded)
    constants = _drawn(spec, seed, "const", spec.constants, rounded)
    state = _drawn(spec, seed, "state", spec.state, rounded)
    for key, value in (given or {}).items():
        kind, name = key.split(":", 1)
        {"input": inputs, "param": params, "const": constants, "state": state}[kind][name] = rounded(np.asarray(value))
    return inputs, params, constants, state


def make_case(spec: Spec, seed: int, dtype: str, mode: str = "eval", given: dict | None = None,
              computed=None) -> Case:
    """The case of one mode. Inputs, parameters, state and cotangents do not depend on the mode.
    ``given``: the user's arrays (``draw_arrays``). ``computed``: (outputs, new state) of a reference that
    is a realisation (``reference="torch"``, ``harness.realised``), computed by its worker; otherwise the
    spec's NumPy reference computes them."""
    def rounded(a):
        return a.astype(dtype) if a.dtype.kind == "f" else a.astype(np.int64)

    inputs, params, constants, state = draw_arrays(spec, seed, dtype, given)
    random = mode == "train" and spec.dropout is not None  # each framework draws its own mask
    if computed is not None:
        (outputs, new_state), ties = computed, []
    else:
        outputs, new_state, ties = reference_outputs(spec, inputs, params, constants, "eval" if random else mode,
                                                     state)
    cotangents = {k: rounded(rng(seed, spec.name, "cotangent", k).standard_normal(v.shape))
                  for k, v in outputs.items()}
    return Case(inputs, params, constants, cotangents, None if random else outputs, mode, state,
                {} if random else new_state, ties)


def make_target(spec: Spec, case: Case, seed: int, dtype: str) -> dict:
    """The seeded regression target of the training-step check: one array per output, of its shape."""
    shapes = {k: c.shape for k, c in case.cotangents.items()}
    return {k: rng(seed, spec.name, "target", k).standard_normal(s).astype(dtype) for k, s in shapes.items()}
