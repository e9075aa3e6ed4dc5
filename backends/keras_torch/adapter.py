"""Keras 3 on the PyTorch engine: the Keras adapter, with PyTorch's own autograd.

Keras's variables hold ``torch.nn.Parameter`` tensors (``variable.value``): the backward pass is
PyTorch's (``backward`` fills each one's ``.grad``), and ``optimizer.apply_gradients`` steps them.
"""

import os
import sys

os.environ.setdefault("KERAS_BACKEND", "torch")  # the worker's ENVIRON sets it before this import
# This engine runs as where TensorFlow is not installed (a CI job of Keras on PyTorch): Keras then seeds
# only the streams it draws from. Otherwise ``keras.utils.set_random_seed`` imports TensorFlow to seed it too, which
# costs this worker TensorFlow's whole start (1.7 CPU s) at its first build, for nothing it computes.
sys.modules.setdefault("tensorflow", None)

import keras  # noqa: E402
import numpy as np  # noqa: E402
import torch  # noqa: E402

from backends.keras import adapter as keras_adapter  # noqa: E402
from harness import adapter  # noqa: E402


class Adapter(keras_adapter.Adapter):
    name = "keras_torch"

    def engine_version(self):
        return torch.__version__

    def tensor(self, a):
        return keras.tree.map_structure(torch.as_tensor, a)

    def numpy(self, t):
        return t.detach().cpu().numpy() if isinstance(t, torch.Tensor) else np.asarray(t)

    def kept(self, t):  # a torch tensor is mutable: a realisation's ``Y += X`` would change the tapped bn2 output
        return t.clone() if isinstance(t, torch.Tensor) else t

    def vjp(self, model, xs, diff, variables, training, cotangents, tapped):
        xs = list(xs)
        for i in diff:
            xs[i] = keras.tree.map_structure(lambda t: t.detach().requires_grad_(), xs[i])
        leaves = [t for i in diff for t in keras.tree.flatten(xs[i])]
        params = [v.value for v in variables]
        for p in params:
            p.grad = None
        outs = adapter.leaves(model(*xs, training=training))
        pairs = [(o, torch.as_tensor(adapter.fit_cotangent(c, tuple(o.shape))))
                 for o, c in zip(outs, cotangents) if o.requires_grad]
        if pairs:
            torch.autograd.backward([o for o, _ in pairs], [c for _, c in pairs])
        grads = iter(t.grad for t in leaves)
        by_input = [keras.tree.map_structure(lambda _: next(grads), xs[i]) for i in diff]
        return outs, by_input + [p.grad for p in params]

    def loss_gradients(self, training, xs, targets, variables, loss_of):
        params = [v.value for v in variables]
        for p in params:
            p.grad = None
        loss = loss_of(adapter.leaves(training.model(*xs, training=training.request.mode == "train")), targets)
        if loss.requires_grad:
            loss.backward()
        return loss, [p.grad for p in params]

    def apply_gradients(self, training, pairs):
        training.optimizer.apply_gradients([(g.detach(), v) for g, v in pairs])
