"""The training step: optimizer settings, the documented update rules in float64, and the training traps.

Every framework trains with its *own* optimizer (torch.optim, optax, keras.optimizers, a Gluon Trainer),
every hyper-parameter passed explicitly, on ``loss = sum over outputs of mean((output - target) ** 2)``.
The float64 reference below implements each update rule from its documented formula, so no framework is
trusted; where frameworks document different rules, each rule is implemented and each backend is held
to its own (``rule_of``):

* SGD: ``p -= lr * g``.
* SGD with momentum and coupled L2 weight decay (torch ``SGD(momentum, weight_decay)``, optax
  ``chain(add_decayed_weights, sgd)``, Gluon ``sgd`` with ``wd``; Keras has no coupled option, so its
  adapter adds ``wd * p`` to the gradient itself): ``g += wd * p; buf = momentum * buf + g;
  p -= lr * buf``. Keras and MXNet store ``-lr * buf`` instead; it is compared as ``buf`` (canonical).
* Adam: ``m = b1 m + (1 - b1) g; v = b2 v + (1 - b2) g²``; PyTorch and optax then take
  ``p -= lr * m̂ / (sqrt(v̂) + eps)`` with ``m̂ = m / (1 - b1^t)``, ``v̂ = v / (1 - b2^t)`` (eps *after* the
  bias correction), Keras and MXNet ``p -= lr_t * m / (sqrt(v) + eps)`` with
  ``lr_t = lr sqrt(1 - b2^t) / (1 - b1^t)`` (eps *before* it: the same as eps / sqrt(1 - b2^t) after).
* Some hyper-parameters reach the arithmetic as 32-bit floats whatever the parameters' dtype
  (``Rule.float32``, measured): MXNet's update operators declare ``lr``, ``momentum``, ``wd``, ``beta1``,
  ``beta2`` and ``epsilon`` as float (Adam's ``lr_t`` is computed in Python, then handed over); Keras's
  ``ops.cast(self.momentum, dtype)`` and ``ops.cast(self.beta_1, dtype)`` turn the Python float into a
  float32 tensor first. ``1 - 0.999`` then moves by 1.3e-5 relative, which float32 runs see too.

Optimizer state is compared in PyTorch's names and sign: ``momentum_buffer``, ``exp_avg``, ``exp_avg_sq``.
"""

from __future__ import annotations

import dataclasses

import numpy as np

STEPS = 3


@dataclasses.dataclass(frozen=True)
class Optimizer:
    name: str
    lr: float
    momentum: float = 0.0
    weight_decay: float = 0.0  # coupled (L2 added to the gradient)
    betas: tuple = (0.9, 0.999)
    eps: float = 1e-8

    def describe(self) -> str:
        if self.name == "adam":
            return f"adam: lr {self.lr}, betas {self.betas}, eps {self.eps:g}"
        extra = f", momentum {self.momentum}, weight decay {self.weight_decay} (coupled)" if self.momentum else ""
        return f"{self.name}: lr {self.lr}{extra}"

    @property
    def state_names(self) -> tuple:
        """The optimizer state each parameter has, in PyTorch's names."""
        return {"sgd": (), "momentum": ("momentum_buffer",), "adam": ("exp_avg", "exp_avg_sq")}[self.name]


OPTIMIZERS = {
    "sgd": Optimizer("sgd", lr=0.1),
    "momentum": Optimizer("momentum", lr=0.1, momentum=0.9, weight_decay=0.01),
    "adam": Optimizer("adam", lr=0.01),
}


@dataclasses.dataclass(frozen=True)
class Rule:
    """How one framework documents its update: where Adam adds eps, and which hyper-parameters reach the
    arithmetic as 32-bit floats whatever the parameters' dtype (``FLOAT32_NAMES``)."""

    adam_eps: str = "after bias correction"  # or "before bias correction"
    float32: frozenset = frozenset()


# lr, momentum, weight_decay, eps: as named; betas: in the moment updates; beta_powers: in beta^t; lr_t:
# Adam's bias-corrected step size when it is computed first and handed over as one number.
FLOAT32_NAMES = frozenset({"lr", "momentum", "weight_decay", "eps", "betas", "beta_powers", "lr_t"})


def rule_of(backend: str, dtype: str) -> Rule:
    """The rule ``backend`` documents, in ``dtype``: ``OPTIMIZER_RULE`` is one ``Rule``, or one per dtype
    where the framework's arithmetic differs by dtype (flax without x64 takes optax's beta powers in
    float32; with x64, in float64)."""
    import backends

    rule = getattr(backends.info(backend), "OPTIMIZER_RULE", Rule())
    return rule.get(dtype, Rule()) if isinstance(rule, dict) else rule


def update(opt: Optimizer, rule: Rule, t: int, p, g, state: dict) -> tuple[np.ndarray, dict]:
    """One step of the documented rule, in float64: (new parameter, new optimizer state by name)."""
    def h(name, x):  # a hyper-parameter as the framework's arithmetic sees it
        return float(np.float32(x)) if name in rule.float32 else float(x)

    p, g = np.asarray(p, np.float64), np.asarray(g, np.float64)
    lr = h("lr", opt.lr)
    if opt.name == "sgd":
        return p - lr * g, {}
    if opt.name == "momentum":
        g = g + h("weight_decay", opt.weight_decay) * p
        buf = h("momentum", opt.momentum) * state.get("momentum_buffer", 0.0) + g
        return p - lr * buf, {"momentum_buffer": buf}
    b1, b2 = (h("betas", b) for b in opt.betas)
    m = b1 * state.get("exp_avg", 0.0) + (1 - b1) * g
    v = b2 * state.get("exp_avg_sq", 0.0) + (1 - b2) * g * g
    c1, c2 = (1 - h("beta_powers", b) ** t for b in opt.betas)  # the bias corrections
    eps = h("eps", opt.eps)
    if rule.adam_eps == "after bias correction":
        return p - lr * (m / c1) / (np.sqrt(v / c2) + eps), {"exp_avg": m, "exp_avg_sq": v}
    lr_t = h("lr_t", opt.lr * np.sqrt(c2) / c1)
    return p - lr_t * m / (np.sqrt(v) + eps), {"exp_avg": m, "exp_avg_sq": v}


# --- training traps: a plausible mistake in one framework's training set-up, and where it must show ----


@dataclasses.dataclass(frozen=True)
class TrainTrap:
    name: str
    spec: str
    backend: str
    optimizer: str
    quantity: str  # a check that must fail (the first quantity that shows it)
    why: str
    passes: tuple = ()  # checks that must still pass: what cannot see the mistake


TRAPS = (
    TrainTrap(
        name="adam_keras_default_eps",
        spec="mlp", backend="keras", optimizer="adam", quantity="step1:hidden.weight",
        why="keras.optimizers.Adam left at its default epsilon=1e-7 (PyTorch, optax, MXNet: 1e-8), and "
        "Keras adds it before the bias correction, where it weighs sqrt(1/(1 - 0.999)) = 32x more: a "
        "parameter whose gradient is small moves visibly less. Fix: epsilon=1e-8 (and know the placement).",
    ),
    TrainTrap(
        name="gluon_step_batch_size",
        spec="mlp", backend="gluon", optimizer="sgd", quantity="step1:hidden.weight",
        why="trainer.step(batch_size) on a loss that is already a mean: the Gluon idiom divides the "
        "gradient by batch_size once more (it is meant for a per-example loss, which backward() sums). "
        "Fix: trainer.step(1) for a mean loss.",
    ),
    TrainTrap(
        name="keras_adam_sparse_embedding",
        spec="seq2seq_encoder", backend="keras", optimizer="adam", quantity="step1:embedding.weight",
        why="An Embedding's gradient handed to keras.optimizers.Adam as the IndexedSlices TensorFlow returns "
        "(one row per occurrence of a token): Keras squares each row before adding up a token's duplicates, "
        "so the second moment gets the sum of squares instead of the square of the sum, and every token "
        "that occurs twice in a batch moves differently from Adam's rule. Fix: tf.convert_to_tensor(grad) "
        "before apply_gradients.",
    ),
    TrainTrap(
        name="weight_decay_decoupled",
        spec="mlp", backend="keras", optimizer="momentum", quantity="step1:momentum_buffer:hidden.weight",
        passes=("step1:hidden.weight",),
        why="keras.optimizers.SGD(weight_decay=wd) decays the parameter directly (decoupled, p -= lr wd p) "
        "where torch.optim.SGD(weight_decay=wd) adds wd p to the gradient (coupled, then momentum). With "
        "a zero momentum buffer the first step moves the parameters alike, so they cannot see it; the "
        "momentum buffer can, from step 1: it lacks wd * p, and from step 2 on the parameters drift by "
        "momentum * lr * wd * p. Fix: add wd * p to the gradient yourself in Keras.",
    ),
)


def trap(name: str) -> TrainTrap | None:
    return next((t for t in TRAPS if t.name == name), None)
