"""MXNet Gluon realisations: ``nn.Block`` with ``forward`` under ``npx.set_np()``, as in the MXNet edition.

MXNet 1.9.1 does not import with NumPy >= 1.24, so this worker runs under its own interpreter.
"""

from harness.optim import Rule

LABEL = "Gluon"
REQUIRES = ("mxnet",)
ENV = ".venv-gluon"
# The worker's environment (harness/pool.py): what the user's shell may not change. None removes a variable.
# MXNET_* included: MXNET_MKLDNN_ENABLED (which kernels; see adapter.py), MXNET_SAFE_ACCUMULATION, the
# engine type; MXNet's defaults are what the declarations below were measured with.
ENVIRON = {"MXNET_*": None, "CUDA_VISIBLE_DEVICES": ""}
# Why parameter shapes may be unknown before the first call (d2l §6.4; harness.teach.before_call)
LAZY = "deferred initialisation: a layer without in_units/in_channels gets them on the first call"
GAPS: dict = {
    "multihead_attention_builtin": "MXNet 1.9.1 has no multi-head attention layer (nothing in mxnet.gluon.*, only "
    "low-level ops such as npx.sequence_mask); the book writes it by hand, see multihead_attention",
}
_FLOAT32_MOMENTUM = ("MXNet operators take their hyper-parameters as 32-bit floats: BatchNorm's momentum 0.9 "
                     "becomes 0.89999998, so float64 running statistics are off by ~3e-8 relative (0 with that "
                     "momentum, checked); the limit leaves a margin above it")
_FLOAT32_DROPOUT = ("MXNet's Dropout computes its scale 1/(1-p) in float32 (1.4285715 for p = 0.3): float64 "
                    "outputs and gradients are off by 2.4e-8 relative (0 against that scale, checked)")

_PREDICT_MODE_BN = ("nn.BatchNorm in prediction mode returns the training formula's input gradient (as in "
                    "batch_norm_concise), and every gradient upstream of a BatchNorm inherits it")

TOLERANCES = {
    ("gelu_mlp", "float64"): (1e-5, "nn.GELU evaluates in float32 precision even on float64 arrays: off by up "
                              "to 6.4e-7 (absolute, on [-6, 6]), its gradient by 1.3e-7"),
    ("batch_norm_concise", "float64"): (1e-6, _FLOAT32_MOMENTUM),
    ("bn_lenet", "float64"): (1e-6, _FLOAT32_MOMENTUM),
    **{(name, "float64"): (1e-6, _FLOAT32_MOMENTUM)
       for name in ("residual", "residual_1x1", "residual_1x1_s2", "resnet", "conv_block", "dense_block",
                    "transition_block")},
    ("dropout", "float64"): (1e-7, _FLOAT32_DROPOUT),
    ("positional_encoding", "float64"): (1e-7, _FLOAT32_DROPOUT + "; 2.4e-8 on PositionalEncoding's output"),
}

DIVERGENCES = {
    ("batch_norm_concise", "eval", "grad:input"): (
        "nn.BatchNorm in prediction mode (autograd.record(train_mode=False)) normalises by the running "
        "statistics but returns the input gradient of the training formula, as if it had normalised by "
        "the batch's; gamma's and beta's gradients are right. nn.BatchNorm(use_global_stats=True) gives "
        "the right input gradient (checked), at the price of never using batch statistics. 2.3 here.", 10.0),
    # upstream of the last BatchNorm's input (net.13): the input, net.0 to net.12
    **{("bn_lenet", "eval", q): (_PREDICT_MODE_BN + ": up to 6.6 here", 100.0)
       for q in ("grad:input", "grad:net.[0-9].*", "grad:net.1[0-2].*")},
    # upstream of bn2's input: the input, conv1, bn1, conv2 (conv3 and bn2 themselves are right)
    **{(name, "eval", q): (_PREDICT_MODE_BN + ": up to 4.3 here", 100.0)
       for name in ("residual", "residual_1x1", "residual_1x1_s2")
       for q in ("grad:input", "grad:conv[12].*", "grad:bn1.*")},
    # DenseNet's blocks begin with a BatchNorm: the input, and the first conv_block's output, feed one
    **{(name, "eval", q): (_PREDICT_MODE_BN + ": up to 3.6 here", 100.0)
       for name, qs in (("conv_block", ("grad:input",)), ("transition_block", ("grad:input",)),
                        ("dense_block", ("grad:input", "grad:net.0.*"))) for q in qs},
    # every gradient upstream of the last BatchNorm's input (b3.1.bn2) and of the max pooling, whose
    # oneDNN backward is wrong in prediction mode too (see the adapter)
    **{("resnet", "eval", q): (_PREDICT_MODE_BN + ": up to 13 here", 100.0)
       for q in ("grad:input", "grad:b1.*", "grad:b2.*", "grad:b3.0.*", "grad:b3.1.conv*", "grad:b3.1.bn1.*")},
}

# mxnet.optimizer.Adam: lr_t = lr * sqrt(1 - beta2^t) / (1 - beta1^t) in Python, then adam_update with
# eps added to sqrt(v); every operator parameter (lr, momentum, wd, beta1, beta2, epsilon) is a float32.
OPTIMIZER_RULE = Rule(adam_eps="before bias correction",
                      float32=frozenset({"lr", "momentum", "weight_decay", "betas", "eps", "lr_t"}))
