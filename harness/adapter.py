"""What every backend adapter shares: the request flow, the parameter slots, their checks and the training loop.

An adapter (``backends/<fw>/adapter.py``, class ``Adapter``) implements the framework-specific steps that
the base class ``Adapter`` below declares (each documented there), with the same names in every backend:

    version()                                     the framework's version string
    build(request, inputs)                        a model whose parameters exist (shapes known)
    slots(model, spec)                            one Slot per native parameter, constant or state buffer
    load(model, slots, values)                    copy canonical values in (through each slot's to_native)
    forward_backward(model, request, slots, inputs, cotangents)
                                                  (outputs, input grads, slot grads, taps), all native
    read(model, slots)                            {slot label: native value} now (state after a pass,
                                                  parameters after a training step)
    shapes_before_call(request)                   {native name: shape, or None} before the first call
                                                  (d2l §6.4, lazy initialisation)
    optimizer(training) / train_step(training) / optimizer_state(training)
                                                  the framework's own optimizer, one step of it, its state

Everything a request says (spec, realisation, arrays, dtype, mode, seed, taps, a deliberate fault, the
training settings) travels in one ``Request``; an adapter keeps nothing of a request on ``self``. The
mode ("train" or "eval") is applied by each adapter with its framework's own switch. State buffers
(BatchNorm's running statistics) are non-trainable slots that the spec lists in ``state``; everything
else non-trainable is a constant.

Everything else (layouts of inputs and outputs, checking that native and canonical parameters match one
to one with the right shapes, mapping gradients back, the deliberate mistakes of ``harness.traps``, the
training loop and its record ``TrainStep``) happens here, once, for every framework.
"""

from __future__ import annotations

import collections
import dataclasses
import functools
import os
from collections.abc import Callable

import numpy as np

from harness import layout
from harness.protocol import output_key


def persistent_jax_cache(jax) -> None:
    """Keep what JAX compiles in ``.cache/jax`` (``BLOCKPARITY_JAX_CACHE``), however small or quick to compile:
    the JAX workers (flax, flax_nnx, keras_jax) share it, and a warm run reads every compiled block and, for
    what runs eagerly (building a Keras model on JAX, a block with Python control flow on values), every
    primitive back instead of compiling it again. Its key is the program without source locations, the XLA
    flags and the versions (measured: the same cache serves another clone of the repository)."""
    import pathlib

    default = pathlib.Path(__file__).resolve().parents[1] / ".cache" / "jax"
    jax.config.update("jax_compilation_cache_dir", os.environ.get("BLOCKPARITY_JAX_CACHE") or str(default))
    jax.config.update("jax_persistent_cache_min_compile_time_secs", 0)
    jax.config.update("jax_persistent_cache_min_entry_size_bytes", 0)


def jax_compiled(jax, block: dict, *args):
    """``block["jit"](*args)``: a block's function as JAX compiles it. Where JAX refuses to trace it
    (``refused_by_jax``), ``block["eager"](*args)``, op by op, now and for the block's later requests."""
    try:
        return block["jit"](*args)
    except Exception as error:
        if not refused_by_jax(jax, error):
            raise
    block["jit"] = block["eager"]
    return block["jit"](*args)


def refused_by_jax(jax, error) -> bool:
    """Whether ``error`` is JAX refusing Python control flow on a traced value (its
    ``ConcretizationTypeError``, as d2l's FixedHiddenMLP meets it), found among the error's causes too:
    Keras's traceback filter can raise another error while re-raising it."""
    seen = set()
    while error is not None and id(error) not in seen:
        if isinstance(error, jax.errors.ConcretizationTypeError):
            return True
        seen.add(id(error))
        error = error.__cause__ or error.__context__
    return False


class BindingError(Exception):
    """The realisation's parameters do not match the spec's (names, count or shapes)."""


def _same(a):
    return a


@dataclasses.dataclass
class Slot:
    """One native parameter (or constant) and how it relates to the canonical ones.

    Usually one canonical parameter maps to one native one through ``to_native``/``from_native``. A slot
    with ``sources`` is computed from those canonical parameters instead: ``to_native(*values)`` gives
    its value and ``from_native(grad)`` one canonical-shaped gradient per source. The gradients of every
    slot that reads a canonical parameter are summed: a fused bias ``b_ih + b_hh`` hands its gradient to
    both, and the per-gate kernels of one stacked ``weight_ih`` each fill their own rows. ``canonical`` is
    then a label unique among the slots, e.g. ``rnn.weight_ih_l0[r]``.
    """

    canonical: str  # canonical name (spec.params or spec.constants key), or a label when sources are set
    native: str  # how a reader of the realisation would name it, e.g. "params/hidden/kernel"
    shape: tuple  # native shape
    handle: object = None  # whatever the adapter needs to assign and read it
    to_native: Callable = _same
    from_native: Callable = _same
    constant: bool = False  # not trainable: a constant, or a state buffer when ``state`` is set
    state: bool = False  # a state buffer (spec.state), e.g. a running mean; set by the base class
    sources: tuple = ()  # canonical names this native value is computed from (see above)
    recurrent: str = ""  # "rnn", "gru" or "lstm": (part of) that PyTorch recurrent layer's parameters
    # a second native copy of canonical parameter ``copy_of`` (named by one of its ``Param.aliases``): a
    # port that holds two layers where the book shares one (d2l §6.2); set by the base class (``tie``)
    copy_of: str = ""

    def native_value(self, values: dict):
        return self.to_native(*(values[c] for c in self.sources or (self.canonical,)))

    def gradients(self, grad) -> dict:
        """Canonical name -> this slot's contribution to its gradient."""
        if not self.sources:
            return {self.canonical: self.from_native(grad)}
        return dict(zip(self.sources, self.from_native(grad)))


@dataclasses.dataclass
class Result:
    arrays: dict
    native_params: list


def dense_slots(prefix: str, native_prefix: str, kernel_shape, bias_shape, spec, handles=(None, None)):
    """Slots of a Dense layer that stores its kernel (in, out); handles the flatten-after-NHWC case."""
    weight = f"{prefix}weight"
    param = spec.params.get(weight)
    chw = param.flattened_from if param is not None else None
    if chw:
        to_native = functools.partial(layout.flattened_dense_kernel, chw=chw)
        from_native = functools.partial(layout.flattened_dense_weight, chw=chw)
    else:
        to_native, from_native = layout.dense_kernel, layout.dense_weight
    slots = [Slot(weight, f"{native_prefix}kernel", tuple(kernel_shape), handles[0], to_native, from_native)]
    if bias_shape is not None:
        slots.append(Slot(f"{prefix}bias", f"{native_prefix}bias", tuple(bias_shape), handles[1]))
    return slots


def conv_slots(prefix: str, native_prefix: str, kernel_shape, bias_shape, handles=(None, None)):
    """Slots of a Conv layer that stores its kernel (kH, kW, I, O)."""
    slots = [Slot(f"{prefix}weight", f"{native_prefix}kernel", tuple(kernel_shape), handles[0],
                  layout.conv_kernel, layout.conv_weight)]
    if bias_shape is not None:
        slots.append(Slot(f"{prefix}bias", f"{native_prefix}bias", tuple(bias_shape), handles[1]))
    return slots


ATTENTION_ROLES = {"query": "W_q", "key": "W_k", "value": "W_v", "output": "W_o"}


def heads_slots(prefix: str, role: str, native_prefix: str, kernel_shape, bias_shape, handles=(None, None)):
    """Slots of one projection of a built-in multi-head attention layer that keeps a head axis (Keras,
    flax): by rule 4 below it is the book's ``W_q``, ``W_k``, ``W_v`` or ``W_o`` Linear."""
    name = f"{prefix}{ATTENTION_ROLES[role]}."
    if role == "output":  # kernel (h, d, E_out), bias (E_out,)
        heads = kernel_shape[0]
        kernel = (lambda w: layout.heads_out_kernel(w, heads)), layout.heads_out_weight
        bias = _same, _same
    else:  # kernel (E_in, h, d), bias (h, d)
        heads = kernel_shape[1]
        kernel = (lambda w: layout.heads_kernel(w, heads)), layout.heads_weight
        bias = (lambda b: b.reshape(heads, -1)), (lambda g: g.reshape(-1))
    slots = [Slot(f"{name}weight", f"{native_prefix}kernel", tuple(kernel_shape), handles[0], *kernel)]
    if bias_shape is not None:
        slots.append(Slot(f"{name}bias", f"{native_prefix}bias", tuple(bias_shape), handles[1], *bias))
    return slots


def check_slots(spec, backend: str, slots: list) -> None:
    """Native and canonical parameters must match one to one, with shapes that the transforms agree on."""
    where = f"{spec.name}[{backend}]"
    labels = [s.canonical for s in slots]
    if len(set(labels)) != len(labels):
        raise BindingError(f"{where}: two native parameters carry the same label "
                           f"{sorted({n for n in labels if labels.count(n) > 1})}")
    for kind, declared, found in (
        ("parameter", spec.params, [s for s in slots if not s.constant]),
        ("constant", spec.constants, [s for s in slots if s.constant and not s.state]),
        ("state buffer", spec.state, [s for s in slots if s.state]),
    ):
        names = [s.canonical for s in found if not s.sources]
        # computed from several, or parts of one: may repeat (a copy of a tied parameter is its second holder)
        read = {c for s in found for c in s.sources if not s.copy_of}
        dupes = sorted({n for n in names if names.count(n) > 1} | (set(names) & read))
        missing = [n for n in declared if n not in names and n not in read]
        extra = [f"{c} (native {s.native})" for s in found for c in (s.sources or (s.canonical,))
                 if c not in declared]
        if dupes or missing or extra:
            raise BindingError(
                f"{where}: {kind}s do not match the spec: "
                + "; ".join(p for p in (
                    f"missing {missing}" if missing else "",
                    f"not in the spec {extra}" if extra else "",
                    f"mapped twice {dupes}" if dupes else "") if p))
        for s in found:
            canonical = [tuple(declared[c].shape) for c in s.sources or (s.canonical,)]
            want = tuple(np.shape(s.native_value({c: np.zeros(declared[c].shape) for c in s.sources or
                                                  (s.canonical,)})))
            if want != tuple(s.shape):
                shown = canonical[0] if len(canonical) == 1 else canonical
                raise BindingError(f"{where}: {kind} {s.canonical}: expected native shape {want} for {s.native} "
                                   f"(canonical {shown}), but it is {tuple(s.shape)}")


def fit_cotangent(cotangent, native_shape):
    """The cotangent to send back through an output of ``native_shape``: the spec's, or zeros when the
    realisation's output has another shape. The backward pass then runs (its zero gradients fail their
    checks) and the output's shape check names both shapes, rather than the framework refusing the
    cotangent with a message of its own (a 'valid' conv ported as flax's default 'SAME', say)."""
    if tuple(cotangent.shape) == tuple(native_shape):
        return cotangent
    return np.zeros(tuple(native_shape), dtype=cotangent.dtype)


@dataclasses.dataclass(frozen=True)
class Request:
    """One request, as an adapter serves it (harness.worker builds it from the coordinator's message)."""

    spec: object  # harness.spec.Spec
    factory: Callable  # the realisation: a model class, a function that builds one, or (spec.function) the block
    arrays: dict  # canonical arrays by protocol key: "input:x", "param:w", "cotangent:output", "target:output"...
    dtype: str = "float32"
    mode: str = "eval"  # "train" or "eval", applied with the framework's own switch
    seed: int = 0  # seeds the framework's own random stream (dropout masks)
    taps: bool = False  # also record the spec's taps
    fault: str | None = None  # a mistake to make on purpose (harness.faults.FAULTS, from Variant.fault)
    optimizer: str | None = None  # training only: a harness.optim.OPTIMIZERS name
    steps: int = 0  # training only: how many steps
    trap: str | None = None  # training only: a harness.optim.TRAPS name whose mistake to make on purpose
    draws: int = 0  # "init" only: how many times to build the model with its own initialisation
    initialise: bool = False  # build with the realisation's own initial values (flax: not shapes only)

    def __post_init__(self):
        from harness.faults import FAULTS

        if self.fault is not None and self.fault not in FAULTS:
            raise ValueError(f"unknown fault {self.fault!r}. Expected one of: {', '.join(FAULTS)}")
        if self.mode not in self.spec.modes:
            raise ValueError(f"{self.spec.name} has no mode {self.mode!r}. Expected one of: "
                             f"{', '.join(self.spec.modes)}")

    @classmethod
    def from_message(cls, msg: dict, spec, variant, factory, arrays: dict) -> Request:
        """The request a coordinator's message (harness.protocol) asks for."""
        return cls(spec, factory, arrays, msg["dtype"], msg.get("mode", "eval"), msg.get("seed", 0),
                   msg.get("taps", False), variant.fault if variant else None, msg.get("optimizer"),
                   msg.get("steps", 0), msg.get("trap"), msg.get("draws", 0), msg.get("op") == "init")


@dataclasses.dataclass
class TrainStep:
    """What one training step leaves, all native and keyed by slot label (``Slot.canonical``);
    harness.training.run_training maps it to canonical names."""

    loss: float
    grads: dict  # label -> the loss gradient, before the optimizer (None: the framework gave none)
    params: dict  # label -> the parameter after the step
    state: dict  # label -> the state buffer after the step
    optimizer: dict  # (PyTorch state name, label) -> the optimizer's state after the step, in PyTorch's sign


@dataclasses.dataclass
class Training:
    """One training run, between the steps of ``Adapter.train``."""

    request: Request
    model: object
    slots: list
    inputs: dict  # native layout, NumPy (lists for per-layer states)
    targets: list  # (native target, weight) per array the model returns
    opt: object  # harness.optim.Optimizer
    optimizer: object = None  # what ``Adapter.optimizer`` made
    kept: dict = dataclasses.field(default_factory=dict)  # whatever else an adapter keeps between steps

    @property
    def trainable(self) -> list:
        return [s for s in self.slots if not s.constant]


class Adapter:
    """Base class: the request flow shared by every framework, and the contract each one implements."""

    name = ""
    nhwc = False  # True when the realisations hold feature maps as NHWC
    batch_major = False  # True when they hold sequences ("TNC") as (N, T, C)
    states_per_layer = False  # True when they hold recurrent states ("LNH") as one (N, H) per layer/direction
    # The framework's model base class and the method a model is called through: a realisation that is a
    # plain function (Spec.function) is wrapped in one (``function_model``).
    model_class: type = object
    call_method = "forward"

    # --- layouts of inputs and outputs (see harness.spec.Input) -----------------------------------------
    def to_native_layout(self, a, layout_name):
        """The native form of a canonical array: an array, or a list of arrays for per-layer states."""
        if self.nhwc and layout_name == "NCHW":
            return layout.nchw_to_nhwc(a)
        if self.batch_major and layout_name == "TNC":
            return layout.swap_time_batch(a)
        if self.states_per_layer and layout_name == "LNH":
            return layout.split_states(a)
        return a

    def to_canonical_layout(self, a, layout_name):
        if self.nhwc and isinstance(layout_name, tuple) and layout_name[0] == "flat":
            return a[:, np.argsort(layout.flatten_permutation(layout_name[1]))]  # (h, w, c) -> (c, h, w) order
        if self.nhwc and layout_name == "NCHW":
            return layout.nhwc_to_nchw(a)
        if self.batch_major and layout_name == "TNC":
            return layout.swap_time_batch(a)
        if self.states_per_layer and layout_name == "LNH":
            return layout.stack_states(a)
        return a

    # --- the flow ----------------------------------------------------------------------------------
    def instantiate(self, request: Request, **kwargs):
        """The realisation as a model: ``factory(**spec.args, **kwargs)``, or, for a block that is a plain
        function (``Spec.function``), the function wrapped in a model without parameters."""
        if request.spec.function:
            return function_model(request.factory, self.model_class, self.call_method)
        return request.factory(**request.spec.args, **kwargs)

    def prepare(self, request: Request):
        """Build the model in the request's mode, map its slots one to one (making the request's fault on
        purpose, if any) and load the canonical values."""
        from harness.faults import apply_fault

        spec, arrays = request.spec, request.arrays
        inputs = {k: self.to_native_layout(arrays[f"input:{k}"], i.layout) for k, i in spec.inputs.items()}
        values = {**{k: arrays[f"param:{k}"] for k in spec.params},
                  **{k: arrays[f"const:{k}"] for k in spec.constants},
                  **{k: arrays[f"state:{k}"] for k in spec.state}}
        model = self.model(request, inputs)
        slots = tie(self.slots(model, spec), spec)
        declared = {**spec.params, **spec.constants, **spec.state}
        for s in slots:
            s.state = s.constant and s.canonical in spec.state
            p = declared.get(s.canonical)
            if self.nhwc and p is not None and p.layout == "NCHW" and s.to_native is _same:  # (1, C, 1, 1)
                s.to_native, s.from_native = layout.nchw_to_nhwc, layout.nhwc_to_nchw
        apply_fault(request.fault, slots)
        check_slots(spec, self.name, slots)
        self.load(model, slots, {s.canonical: np.asarray(s.native_value(values)).astype(request.dtype)
                                 for s in slots})
        return model, slots, inputs

    def run(self, request: Request) -> Result:
        """Serve a forward-and-backward request: outputs, gradients, taps and state, canonical."""
        spec, arrays = request.spec, request.arrays
        before = self.probe_before_call(request)  # first: building seeds the framework's random streams
        model, slots, inputs = self.prepare(request)
        # One cotangent per array the model returns: an output held per layer (states) is several arrays.
        native_cts = [self.to_native_layout(arrays[f"cotangent:{k}"], spec.layout_of(k)) for k in spec.outputs]
        cotangents = [c for ct in native_cts for c in (ct if isinstance(ct, list) else [ct])]
        outs, input_grads, slot_grads, tapped = self.forward_backward(model, request, slots, inputs, cotangents)

        if len(outs) != len(cotangents):
            raise BindingError(f"{spec.name}[{self.name}]: the model returned {len(outs)} arrays, expected "
                               f"{len(cotangents)} for the outputs {spec.outputs}")
        result, i = {}, 0
        for k, ct in zip(spec.outputs, native_cts):
            n = len(ct) if isinstance(ct, list) else 1
            native = [np.asarray(o) for o in outs[i:i + n]] if isinstance(ct, list) else np.asarray(outs[i])
            result[output_key(spec, k)] = self.to_canonical_layout(native, spec.layout_of(k))
            i += n
        for k, g in input_grads.items():
            if g is not None:
                key = "grad:input" if len(spec.inputs) == 1 else f"grad:input:{k}"
                result[key] = self.to_canonical_layout(np.asarray(g), spec.inputs[k].layout)
        grads, absent = {}, set()
        for s in slots:
            if s.constant:
                continue
            g = slot_grads.get(s.canonical)
            if g is None:  # a gradient read from several slots is absent if any of them has none
                absent.update(s.sources or (s.canonical,))
                continue
            for c, part in s.gradients(np.asarray(g)).items():
                grads[c] = grads[c] + part if c in grads else np.asarray(part)
        for k, g in grads.items():
            if k not in absent:
                result[f"grad:{k}"] = g
        for k, t in (tapped or {}).items():
            result[f"tap:{k}"] = self.to_canonical_layout(np.asarray(t), spec.taps.get(k))
        stateful = [s for s in slots if s.state]
        if stateful:
            after = self.read(model, stateful)
            result.update({f"state:{s.canonical}": s.from_native(np.asarray(after[s.canonical])) for s in stateful})
        return Result(result, self.inventory(slots, before))

    def probe_before_call(self, request: Request) -> dict | None:
        """``shapes_before_call``, or None when the probe fails: it only informs ``show`` and the page, and a
        realisation that cannot be built uncalled must not fail the parity run (the log keeps why)."""
        try:
            return self.shapes_before_call(request)
        except Exception as e:  # noqa: BLE001
            import sys

            print(f"{request.spec.name}[{self.name}]: shapes_before_call failed: {type(e).__name__}: {e}",
                  file=sys.stderr)
            return None

    def initial(self, request: Request) -> Result:
        """Serve an "init" request (harness.init): the realisation built ``request.draws`` times (seeds
        ``seed * 1000 + k``) with its own initialisation, nothing loaded. ``init:<param>``: each plain
        parameter in canonical layout; ``native:<i>``: the i-th trainable slot as the framework holds it
        (the inventory names it); both stacked over the draws."""
        spec, arrays = request.spec, request.arrays
        inputs = {k: self.to_native_layout(arrays[f"input:{k}"], i.layout) for k, i in spec.inputs.items()}
        stacks, slots = {}, []
        for k in range(max(1, request.draws)):
            one = dataclasses.replace(request, seed=request.seed * 1000 + k, initialise=True)
            model = self.model(one, inputs)
            slots = [s for s in tie(self.slots(model, spec), spec) if not s.constant]
            values = self.read(model, slots)
            for i, s in enumerate(slots):
                native = np.array(values[s.canonical], dtype=np.float64)
                stacks.setdefault(f"native:{i}", []).append(native)
                if not s.sources:
                    stacks.setdefault(f"init:{s.canonical}", []).append(np.asarray(s.from_native(native)))
        return Result({k: np.stack(v) for k, v in stacks.items()}, self.inventory(slots))

    def train(self, request: Request, model, slots, inputs, targets) -> list[TrainStep]:
        """``request.steps`` steps of the framework's own optimizer on ``sum(weight * mean((output -
        target) ** 2))``, ``targets`` being (native array, weight) pairs: one TrainStep per step."""
        from harness.optim import OPTIMIZERS

        training = Training(request, model, slots, inputs, targets, OPTIMIZERS[request.optimizer])
        training.optimizer = self.optimizer(training)
        state = [s for s in slots if s.state]
        record = []
        for _ in range(request.steps):
            loss, grads = self.train_step(training)
            record.append(TrainStep(  # copies: a framework may update its arrays in place at the next step
                loss=float(loss),
                grads={k: None if g is None else np.array(g) for k, g in grads.items()},
                params={k: np.array(v) for k, v in self.read(model, training.trainable).items()},
                state={k: np.array(v) for k, v in self.read(model, state).items()},
                optimizer={k: np.array(v) for k, v in self.optimizer_state(training).items()}))
        return record

    # How many blocks a worker keeps what ``per_block`` holds for, the least recently used dropped first: a
    # block's requests come together (its optimizers, its reruns), and a session's workers meet hundreds of
    # blocks × dtypes × seeds × faults, whose models and compiled programs would otherwise all stay.
    PER_BLOCK_KEPT = 8

    def per_block(self, request: Request, what: str) -> dict:
        """A dict kept in this worker for ``what`` of the request's block (realisation, dtype, mode, seed,
        fault, trap, taps, and the shapes and dtypes of its arrays): what an engine made for one request (a
        block's model as built, its compiled forward and backward pass or loss gradient: a function of the
        parameters, inputs, cotangents or targets only) serves the next request of the same block (its
        other optimizers, its other weights) instead of being made again. Only the last ``PER_BLOCK_KEPT``
        blocks' are kept, all of a block's together: an older block's are made again, the same."""
        shapes = tuple(sorted((k, np.shape(a), np.asarray(a).dtype.str) for k, a in request.arrays.items()))
        key = (request.spec.name, request.factory, request.dtype, request.mode, request.seed, request.fault,
               request.trap, request.taps, shapes)
        blocks = self.__dict__.setdefault("_per_block", collections.OrderedDict())
        blocks[key] = blocks.pop(key) if key in blocks else {}  # the most recently used last
        while len(blocks) > self.PER_BLOCK_KEPT:
            blocks.popitem(last=False)
        return blocks[key].setdefault(what, {})

    def model(self, request: Request, inputs: dict):
        """``build``'s model, ``configure`` first. A block's next request (its other optimizers, other
        weights of the same shapes) gets the model built first, put back as built (``snapshot``, then
        ``restore``): building is much of a small block's request. An init request always builds anew."""
        self.configure(request)
        kept = None if request.initialise else self.per_block(request, "model")
        if kept:
            return self.restore(*kept["model"])
        model = self.build(request, inputs)
        snapshot = None if kept is None else self.snapshot(model)
        if snapshot is not None:
            kept["model"] = (model, snapshot)
        return model

    @staticmethod
    def inventory(slots, before: dict | None = None) -> list:
        """The ``native_params`` of a reply. With ``before`` (``shapes_before_call``), each entry says
        whether its native shape was known before the first call (a name the probe did not see was not)."""
        return [{"canonical": s.canonical, "native": s.native, "shape": list(s.shape),
                 **({"sources": list(s.sources)} if s.sources else {}),
                 **({"copy_of": s.copy_of} if s.copy_of else {}),
                 **({"known_before_call": before.get(s.native) is not None} if before is not None else {})}
                for s in slots]

    # --- the contract: what each framework implements -------------------------------------------------
    def version(self) -> str:
        """The framework's version string."""
        raise NotImplementedError

    def build(self, request: Request, inputs: dict):
        """A model of ``request.factory`` (through ``instantiate``) in ``request.dtype`` and
        ``request.mode``, whose parameters exist: lazy shapes are resolved with the native ``inputs``."""
        raise NotImplementedError

    def configure(self, request: Request) -> None:
        """Set what the framework reads from its global state when a model is made and run (its float
        dtype, its random seed) for ``request``: before every ``build``, and before a kept model is given
        back. Nothing by default."""

    def snapshot(self, model):
        """What ``restore`` needs to give ``model``, just built, back as built to a later request of the same
        block, or None (the default): every request builds its own."""
        return None

    def restore(self, model, snapshot):
        """``model`` (kept with ``snapshot``) as it was built: every variable that a request changes
        (weights, statistics, a dropout's random state) put back. Returns the model to use."""
        raise NotImplementedError

    def slots(self, model, spec) -> list:
        """One Slot per native parameter, constant and state buffer, named by the rules below."""
        raise NotImplementedError

    def shapes_before_call(self, request: Request) -> dict:
        """{native name (as ``Slot.native``): shape, or None while unknown} of the realisation as its reader
        builds it (``instantiate``), before any call (d2l §6.4): PyTorch's ``LazyLinear`` holds an
        ``UninitializedParameter``, a Keras layer has no weights until it is built, Gluon's deferred
        parameters have 0 (unknown) dimensions, flax has no parameters at all before ``init``."""
        raise NotImplementedError

    def load(self, model, slots, values: dict) -> None:
        """Assign ``values`` ({slot label: native array}) to the slots' native parameters."""
        raise NotImplementedError

    def forward_backward(self, model, request: Request, slots, inputs: dict, cotangents: list):
        """One forward pass in ``request.mode`` (seeded with ``request.seed``) and one backward pass with
        ``cotangents`` (one per array the model returns, through ``fit_cotangent``). Returns (outputs as a
        flat list, {input: gradient} for the differentiable inputs, {slot label: gradient or None} of the
        trainable slots, {tap: value} when ``request.taps``), all native."""
        raise NotImplementedError

    def read(self, model, slots) -> dict:
        """{slot label: native value} of ``slots`` as the model holds them now."""
        raise NotImplementedError

    def optimizer(self, training: Training):
        """The framework's own optimizer for ``training.opt`` (harness.optim.Optimizer, every
        hyper-parameter passed explicitly) over ``training.trainable``, making ``training.request.trap``'s
        mistake if it is the framework's; None when there is nothing for it to update."""
        raise NotImplementedError(f"{self.name}: the training step is not implemented")

    def train_step(self, training: Training) -> tuple:
        """One step, in ``training.request.mode``: forward, ``sum(weight * mean((output - target) ** 2))``
        over ``training.targets``, its gradients and ``training.optimizer``'s update. Returns (loss,
        {slot label: native gradient or None} of the trainable slots, before the optimizer)."""
        raise NotImplementedError(f"{self.name}: the training step is not implemented")

    def optimizer_state(self, training: Training) -> dict:
        """{(state name, slot label): native value} of the optimizer's state, in PyTorch's names
        (``Optimizer.state_names``) and sign; a parameter without state yet is left out."""
        raise NotImplementedError(f"{self.name}: the training step is not implemented")


# --- naming rules: native structure -> canonical (PyTorch state_dict) names -----------------------------
#
# 1. A sub-module held in attribute ``a`` is ``a`` (realisations use the PyTorch attribute names).
# 2. A list of sub-modules held in attribute ``a`` is numbered ``a.0, a.1, ...``, like ``nn.ModuleList``;
#    when that list is the module's only sub-modules (a Sequential, or d2l's MySequential) the items are
#    numbered directly under the module (``0, 1, ...``), like ``nn.Sequential``.
# 3. A layer that folds its activation in (Keras/Gluon ``Dense(..., activation='relu')``) stands for two
#    PyTorch modules (Linear, ReLU), so it advances the numbering by two: ``[Dense(relu), Dense]`` is 0, 2.
# 4. A framework's built-in multi-head attention layer stands for the book's ``MultiHeadAttention`` (d2l
#    §11.5): its query, key, value and output projections are ``W_q``, ``W_k``, ``W_v``, ``W_o`` (PyTorch's
#    packed ``in_proj_weight`` holds the first three).
# 5. A recurrent layer is PyTorch's ``nn.RNN/GRU/LSTM``: its parameters are ``weight_ih_l{k}``, ... (see
#    harness.recurrent). A list of recurrent layers in attribute ``a`` (flax), or the stacked cells of one
#    Keras RNN, are the layers k = 0, 1, ... of one PyTorch module ``a``; the backward half of a
#    bidirectional layer adds ``_reverse``.
# 6. A Keras ``ZeroPadding2D`` in a sequence is the ``padding=`` of the PyTorch layer after it (Keras
#    convolutions and poolings pad only 'valid' or 'same'), so it takes no number of its own.
# The adapters then check that the names found this way and the spec's names match one to one.


def tie(slots: list, spec) -> list:
    """One slot per native parameter (d2l §6.2, tied parameters): a parameter met twice (a shared layer
    walked at both of its places, or Gluon's ``params=shared.params``) keeps the name where it is first
    met; a slot named by a declared alias (``Param.aliases``) is a second native copy of that parameter
    (``Slot.copy_of``), loaded with its value and handing it its gradient, summed with the first's."""
    aliases = {a: name for name, p in spec.params.items() for a in p.aliases}
    out, seen = [], set()
    for s in slots:
        if s.handle is not None and not isinstance(s.handle, tuple):
            if id(s.handle) in seen:
                continue
            seen.add(id(s.handle))
        if s.canonical in aliases and not s.sources:
            back = s.from_native
            s.copy_of, s.sources = aliases[s.canonical], (aliases[s.canonical],)
            s.from_native = lambda g, back=back: (back(g),)
        out.append(s)
    return out


def sequence_numbers(folded: list) -> list:
    """PyTorch's index of each child of a sequence, given whether each folds an activation in (rule 3), or
    how many PyTorch modules it stands for: 0 for a Keras ``ZeroPadding2D``, which is the ``padding=``
    argument of the layer after it (rule 6)."""
    index, out = 0, []
    for f in folded:
        out.append(index)
        index += {True: 2, False: 1}.get(f, f) if isinstance(f, bool) else f
    return out


def join(prefix: str, name) -> str:
    return f"{prefix}{name}."


def tap_points(walked, wanted) -> dict:
    """Where each wanted tap is read, for frameworks whose layers may fold their activation in.

    ``walked``: [(canonical prefix, layer, folds_activation)]. Returns tap -> (layer, "out" | "pre"): a
    layer's output, or, for a folded layer, the value before its activation (what PyTorch's Linear gives);
    the folded activation itself stands for the next PyTorch module, so when the layer is numbered ``k``
    the tap ``k+1`` is its output (rule 3 above).
    """
    points = {}
    for prefix, layer, folded in walked:
        name = prefix[:-1]
        points[name] = (layer, "pre" if folded else "out")
        head, _, last = name.rpartition(".")
        if folded and last.isdigit():
            points[f"{head}.{int(last) + 1}" if head else str(int(last) + 1)] = (layer, "out")
    return {k: v for k, v in points.items() if k in wanted}


def leaves(value) -> list:
    """The arrays a model returned, in order, nested tuples and lists flattened: PyTorch's LSTM returns
    ``(output, (h_n, c_n))``, Keras's ``[output, h, c]``, Gluon's ``(output, [h, c])``."""
    if isinstance(value, (tuple, list)):
        return [leaf for v in value for leaf in leaves(v)]
    return [value]


def first(value):
    """The first array of what a layer returned (an RNN's output of ``(output, state)``), or the array."""
    return value[0] if isinstance(value, (tuple, list)) else value


def at(tree, path):
    """The leaf of a nested dict (flax's variables, gradients, optimizer moments) at ``path``, as NumPy."""
    for p in path:
        tree = tree[p]
    return np.asarray(tree)


def function_model(fn, base: type, call: str):
    """``fn``, a block that is a plain function of its inputs (d2l's ``masked_softmax``, ``Spec.function``),
    as a model without parameters: an instance of a subclass of the framework's ``base`` whose method
    ``call`` applies it."""
    return _function_class(base, call)(fn)


@functools.cache
def _function_class(base: type, call: str) -> type:
    def apply(self, *xs):
        return self.fn(*xs)

    namespace = {call: apply, "__module__": __name__, "__doc__": "A plain function as a model without parameters."}
    if hasattr(base, "__dataclass_transform__"):  # its subclasses are dataclasses (PEP 681, flax linen)
        namespace["__annotations__"] = {"fn": object}
    else:
        def __init__(self, fn):
            base.__init__(self)
            self.fn = fn

        namespace["__init__"] = __init__
    return type(f"Function{base.__name__}", (base,), namespace)
