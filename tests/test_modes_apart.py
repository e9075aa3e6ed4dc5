"""Each mode of a block is reported on its own: one mode's error does not throw away the other's checks.

A fake pool stands in for the workers, so the coordinator's bookkeeping is tested exactly: the training
mode of ``batch_norm`` errors (as a flax module asked to update statistics it was told not to did), the
evaluation mode answers with a wrong output.
"""

import numpy as np

import specs
from harness.data import make_case
from harness.pool import Reply
from harness.protocol import output_key, save_arrays
from harness.run import compare_backends


class FakePool:
    workers: dict = {}

    def __init__(self, answer):
        self.answer = answer

    def versions(self):
        return {}

    def run(self, jobs, on_event=None):
        replies = {}
        for b, reqs in jobs.items():
            for i, req in enumerate(reqs):
                replies[(b, i)] = self.answer(b, req)
        return replies


def test_an_error_in_one_mode_keeps_the_other_modes_numeric_failure():
    spec = specs.resolve("batch_norm")[0]
    assert spec.modes == ("train", "eval")

    def answer(backend, req):
        if req["mode"] == "train":
            return Reply("error", "ScopeParamShapeError: cannot update batch_stats")
        case = make_case(spec, 0, "float32", "eval")
        arrays = {output_key(spec, k): (v * 1.5).astype(np.float32) for k, v in case.outputs.items()}
        save_arrays(req["out"], arrays)  # a wrong output, and no gradients at all
        return Reply("ok")

    run = compare_backends(FakePool(answer), ["batch_norm"], ["torch"])
    (result,) = run.results
    assert result.status == "error" and result.reason.startswith("train mode: ScopeParamShapeError"), result
    failing = result.failing()
    assert failing and {c.mode for c in failing} == {"eval"}, failing
    assert any(c.quantity == "output" and c.max_rel_err > 0.3 for c in failing), failing
