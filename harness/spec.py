"""The framework-neutral description of a block: what it computes, on what, and how closely.

A spec is data plus one float64 NumPy function. It never imports a framework, so it loads in every
worker (the Gluon worker runs NumPy 1.23, the others NumPy 2). Conventions it fixes for everyone:

* layouts are ONNX/PyTorch: activations NCHW, Linear weight (out, in), conv weight (O, I, kH, kW);
* parameter names are the ``state_dict`` names of the d2l-style PyTorch realisation;
* the loss whose gradients are compared is ``sum(output * cotangent)`` (summed over every output).

The reference is called as ``reference(inputs, params, constants, tap)`` where each argument is a dict of
float64 arrays by name and ``tap(name, value)`` returns ``value`` (the harness uses it to record named
intermediate points). It returns one array, or a tuple in the order of ``outputs``.

A block with a training mode (``modes`` holds "train") is also called with ``training=True|False``; a
block with state (``state``: buffers such as BatchNorm's running statistics, named like PyTorch's
buffers) is also called with ``state=`` (the buffers before the call) and returns ``(outputs, new_state)``,
the buffers as the canonical (PyTorch) update rule leaves them after one forward and backward pass.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Callable, Mapping

DTYPES = ("float32", "float64")
MODES = ("train", "eval")
# The tolerance most blocks are held to: far above float32 rounding through a block of a few dot
# products and far below any porting mistake (O(0.1) and up); float64 leaves no room for a silently
# float32 computation.
TOLERANCE = {"float32": 1e-5, "float64": 1e-10}
TOLERANCE_WHY = ("float32 rounds a few dot products and activations to ~1e-7 relative, well inside 1e-5; a "
                 "porting mistake moves the output by O(0.1); float64 rounds to ~1e-15, and 1e-10 catches a "
                 "computation done in float32.")


class MaxPoolTie(UserWarning):
    """A max-pool window whose maximum occurs more than once: where the gradient goes is a convention.

    Every framework's pooling layer sends it to the first maximum (row-major), but a reduction written as
    ``max`` may split it or copy it (docs/conventions/conv.md, T17), and the reference loss has a kink
    there that no central difference can check. Specs assume no ties (random inputs have none); the
    harness turns this warning into a failing note on the gradient checks instead of a silent pass.
    """


@dataclasses.dataclass(frozen=True)
class Input:
    """One model input, in canonical layout. ``layout`` says how frameworks that differ hold it:

    None: as is. "NCHW": a feature map, which NHWC frameworks transpose. "TNC": a time-major sequence
    (time, batch, features), as PyTorch's and Gluon's recurrent layers take it; batch-major frameworks
    (Keras, flax) hold it as (batch, time, features). "LNH": a recurrent state (layers * directions,
    batch, hidden), as PyTorch and Gluon hold it; Keras and flax hold one (batch, hidden) array per
    layer and direction (a list, or the array itself when there is only one).
    """

    shape: tuple
    # "normal" (mean 0, std 1), "uniform" on [0, 1), "randint:<high>" or "randint:<low>:<high>" (ints in
    # [low, high), e.g. token ids or valid lengths)
    dist: str = "normal"
    layout: str | None = None

    @property
    def differentiable(self) -> bool:
        return not self.dist.startswith("randint")


@dataclasses.dataclass(frozen=True)
class ZeroGrad:
    """A gradient that is zero by construction: the block's output cannot depend on the parameter (in
    ``modes``), so what a framework returns there is rounding noise. It is declared, never searched for:
    the harness compares it with 0 at a stated scale instead of relative to itself (noise against noise)
    and draws no directional derivative for it (the loss is flat along it up to rounding, and whether a
    flat loss looks smooth depends on how a CPU rounds).

    ``why``: the reason, shown with every check of it. ``modes``: where it holds. ``scale``: the gradient
    whose size it is measured against: None for the block's largest gradient, or a parameter's name (a
    bias before a BatchNorm is measured against its layer's weight gradient).
    """

    why: str
    modes: tuple = MODES
    scale: str | None = None

    @classmethod
    def before_batch_norm(cls, weight: str) -> ZeroGrad:
        """The bias of a layer that a BatchNorm follows: in training the batch mean removes it."""
        return cls("a BatchNorm follows: in training its batch mean removes any per-channel shift",
                   modes=("train",), scale=weight)


@dataclasses.dataclass(frozen=True)
class Param:
    """A canonical parameter or constant.

    ``init`` draws its value: "fan_in" is PyTorch's default for Linear/Conv weights and biases,
    U(-1/sqrt(fan_in), 1/sqrt(fan_in)), with fan_in taken from ``fan_in`` or, for a weight, from its shape;
    "normal" and "uniform" are N(0, 1) and U(0, 1) (``torch.randn`` / ``torch.rand``).
    ``flattened_from`` marks a Linear weight whose inputs are an NCHW feature map flattened in (C, H, W)
    order: NHWC frameworks flatten in (H, W, C) order and must permute the rows of their kernel.
    ``zero_grad`` declares a gradient that is zero by construction (``ZeroGrad``: attention's key bias
    shifts every score of a query alike; a bias before a BatchNorm in training).
    ``layout="NCHW"`` marks a parameter shaped like a feature map, such as the book's BatchNorm scale
    (1, C, 1, 1), which NHWC frameworks hold as (1, 1, 1, C).
    ``initialised`` declares the distribution the realisation's *own* initialisation draws the parameter
    from (d2l §6.3), checked as ``init:<name>`` without copying weights (harness.init.DISTRIBUTIONS:
    "zeros", "constant:42", "normal:0:0.01", "xavier_uniform", ...); None: not declared, not checked.
    ``aliases``: other canonical names of this same parameter, the ``state_dict`` names of a module used
    more than once (d2l §6.2's ``shared`` layer is ``2.weight`` and ``4.weight``). A port that holds two
    copies maps the second as a copy of the first (``Slot.copy_of``): loaded alike, gradients summed, and
    caught in training, where the copies drift apart.
    """

    shape: tuple
    init: str = "fan_in"  # also "uniform:<low>:<high>", e.g. a running variance "uniform:0.5:1.5"
    fan_in: int | None = None
    flattened_from: tuple | None = None
    zero_grad: ZeroGrad | None = None
    layout: str | None = None
    initialised: str | None = None
    aliases: tuple = ()


@dataclasses.dataclass(frozen=True)
class Variant:
    """A named, deliberately wrong-but-plausible realisation that the harness must catch: a trap.

    ``model``: the class or function each backend's module gives the wrong realisation (None: the spec's
    own, e.g. when only the weight mapping is wrong). ``fault``: a mistake made by the adapter instead of
    the realisation (see ``harness.faults.FAULTS``), e.g. a conv kernel copied without its transpose.
    ``backends``: the frameworks the mistake is about (None: every backend that realises ``model``).
    ``expected_tap``: where the harness must localise it (the first diverging tap, or for a gradient-only
    mistake the first diverging parameter, walking backward). ``why``: what is wrong and how to fix it.
    """

    name: str
    why: str
    model: str | None = None
    fault: str | None = None
    backends: tuple | None = None
    expected_tap: str | None = None
    dtype: str = "float32"  # the dtype in which the harness must catch it
    missed_in: tuple = ()  # dtypes whose tolerance is known to be too loose to see it (asserted, so noticed)
    # the check that sees it: "compare" (outputs, gradients), "train" (a mistake no single forward and
    # backward pass shows, e.g. two copies of a tied parameter) or "init" (the realisation's own
    # initialisation, harness.init); harness.traps runs each where it shows
    seen_in: str = "compare"


# What a spec's ``reference`` may name instead of a NumPy function: a realisation run in float64.
REFERENCE_BACKENDS = {"torch": "the PyTorch realisation in float64"}
NUMPY_REFERENCE = "the spec's float64 NumPy reference"


@dataclasses.dataclass(frozen=True)
class Spec:
    name: str
    model: str  # the class or function each backend's ``<module>.py`` defines
    inputs: Mapping[str, Input]
    # A float64 NumPy function, or "torch": the PyTorch realisation run in float64 is then the reference
    # (a user's block without one; docs/own-blocks.md says why a NumPy reference checks more).
    reference: Callable | str
    title: str = ""  # default: the name
    section: str = "user block"  # the d2l section, e.g. "6.1 Layers and Modules"
    # max relative error per dtype (see harness.checks), and why that is right for this block
    tolerance: Mapping[str, float] = dataclasses.field(default_factory=lambda: dict(TOLERANCE))
    tolerance_why: str = ""  # TOLERANCE_WHY when the tolerance is the default one
    params: Mapping[str, Param | tuple] = dataclasses.field(default_factory=dict)
    constants: Mapping[str, Param | tuple] = dataclasses.field(default_factory=dict)
    args: Mapping[str, object] = dataclasses.field(default_factory=dict)
    outputs: tuple = ("output",)
    # "NCHW" when the output is a feature map; a layout per output name ({"output": "TNC", "h_n": "LNH"})
    # when the outputs differ (see Input)
    output_layout: object = None
    # Named intermediate points, in forward order: tap name -> layout. A tap is the output of the module
    # at that canonical path (the PyTorch realisation's module of that name); for a Keras/Gluon layer that
    # folds its activation in, it is the value before the activation, as PyTorch's Linear gives it.
    # Layout: None (as is), "NCHW" (a feature map) or ("flat", (C, H, W)) (a flattened feature map).
    taps: Mapping[str, object] = dataclasses.field(default_factory=dict)
    variants: tuple = ()
    # Modes the block is checked in, each with the framework's own switch (torch .train()/.eval(), a flax
    # ``training`` field, Keras ``training=``, Gluon ``autograd.record(train_mode=...)``). A block that
    # behaves the same in both is checked once, in "eval".
    modes: tuple = ("eval",)
    # Canonical state buffers (PyTorch buffer names and momentum convention), drawn like parameters;
    # compared as ``state:<name>`` after one forward and backward pass in each mode.
    state: Mapping[str, Param | tuple] = dataclasses.field(default_factory=dict)
    # The drop probability of a block whose training-mode output is random (a dropout layer): its
    # training mode is checked by properties of each framework's own mask (harness.checks.dropout_checks).
    dropout: float | None = None
    # True when ``model`` is a plain function of the inputs (d2l's ``masked_softmax``), not a model class or a
    # function that builds one: adapters wrap it in a model without parameters (harness.adapter.function_model)
    function: bool = False
    module: str = ""  # file name under specs/ and backends/<fw>/, filled in by the registry
    doc: str = ""  # the spec module's docstring, filled in by the registry
    origin: str = ""  # a user's block folder (``--blocks DIR``), filled in by the registry; "" for ours

    def __post_init__(self):
        if not self.title:
            object.__setattr__(self, "title", self.name)
        if isinstance(self.reference, str) and self.reference not in REFERENCE_BACKENDS:
            raise ValueError(f"spec {self.name!r}: reference={self.reference!r} names no realisation. Expected a "
                             f"float64 NumPy function or one of: {', '.join(REFERENCE_BACKENDS)}")
        def as_param(p, default_init):
            return p if isinstance(p, Param) else Param(tuple(p), init=default_init)

        object.__setattr__(self, "params", {k: as_param(v, "fan_in") for k, v in self.params.items()})
        object.__setattr__(self, "constants", {k: as_param(v, "uniform") for k, v in self.constants.items()})
        object.__setattr__(self, "state", {k: as_param(v, "normal") for k, v in self.state.items()})
        bad = [m for m in self.modes if m not in MODES]
        if bad or not self.modes:
            raise ValueError(f"spec {self.name!r}: modes {self.modes} must be a non-empty subset of {MODES}")
        for k, p in self.params.items():
            z = p.zero_grad
            if z and (not set(z.modes) <= set(MODES) or (z.scale and z.scale not in self.params)):
                raise ValueError(f"spec {self.name!r}: {k}'s ZeroGrad needs modes in {MODES} and a scale that "
                                 f"names a parameter, not {z.modes}, {z.scale!r}")
        missing = [d for d in DTYPES if d not in self.tolerance]
        if missing:
            raise ValueError(f"spec {self.name!r}: tolerance needs a value for {missing}")
        if not self.tolerance_why:
            if dict(self.tolerance) != TOLERANCE:
                raise ValueError(f"spec {self.name!r}: a tolerance other than the default needs tolerance_why")
            object.__setattr__(self, "tolerance_why", TOLERANCE_WHY)

    def zero_grad(self, name: str, mode: str) -> ZeroGrad | None:
        """The declaration that parameter ``name``'s gradient is zero by construction in ``mode``, if any."""
        z = self.params[name].zero_grad if name in self.params else None
        return z if z is not None and mode in z.modes else None

    def fan_in(self, name: str) -> int:
        """The fan-in PyTorch's default initialiser would use for parameter ``name``."""
        p = self.params.get(name) or self.constants[name]
        if p.fan_in:
            return p.fan_in
        if len(p.shape) >= 2:
            return p.shape[1] * math.prod(p.shape[2:])
        sibling = name.rsplit(".", 1)[0] + ".weight" if "." in name else "weight"
        if sibling in self.params and len(self.params[sibling].shape) >= 2:
            return self.fan_in(sibling)
        raise ValueError(f"spec {self.name!r}: cannot tell the fan-in of {name!r}; give Param(fan_in=...)")

    def layout_of(self, output: str):
        """The layout of one output (see ``output_layout``)."""
        if isinstance(self.output_layout, Mapping):
            return self.output_layout.get(output)
        return self.output_layout

    @property
    def reference_backend(self) -> str | None:
        """The backend whose float64 run is the reference (``reference="torch"``), or None for NumPy."""
        return self.reference if isinstance(self.reference, str) else None

    @property
    def reference_label(self) -> str:
        """What the reference is, as every view says it."""
        return REFERENCE_BACKENDS.get(self.reference_backend, NUMPY_REFERENCE)

    @property
    def has_training_mode(self) -> bool:
        return "train" in self.modes

    def variant(self, name: str) -> Variant | None:
        return next((v for v in self.variants if v.name == name), None)
