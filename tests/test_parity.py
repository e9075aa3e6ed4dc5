"""Every block passes in every backend, in float32 and float64: the suite's promise, one id per case.

Generic over the registry: adding a spec or a backend adds cases here without editing this file. A
result may be ``divergent`` only through checks its backend declares (``DIVERGENCES``), every other
check passing; tests/test_state.py asserts that the declared ones stay divergent.
"""

import pytest

import backends
import specs
from harness.spec import DTYPES
from tests.conftest import explain

CASES = [pytest.param(s, b, d, id=f"{s}-{b}-{d}") for d in DTYPES for s in specs.names() for b in backends.names()]


@pytest.mark.parametrize("spec_name, backend, dtype", CASES)
def test_block_agrees(compare, spec_name, backend, dtype):
    run = compare(dtype=dtype)
    result = next(r for r in run.results if r.spec == spec_name and r.backend == backend)
    if result.status == "skipped":
        pytest.skip(f"{backend}: {result.reason}")
    assert result.status in ("pass", "divergent"), explain(result, run)
    assert not result.failing(), explain(result, run)
    if dtype == "float64":  # float64 leaves no room for a silently float32 computation
        limit = backends.info(backend).TOLERANCES.get((spec_name, dtype))  # a documented framework limit
        bound = limit[0] if limit else 1e-10
        worst = max(c.max_rel_err for c in result.checks if not c.divergent and not c.statistic)
        assert worst <= bound, f"{spec_name}[{backend}] float64 relative error {worst:.1e} > {bound:.0e}"
    quantities = [c.quantity for c in result.checks]
    spec = specs.resolve(spec_name)[0]
    assert quantities[: len(spec.outputs)] == (["output"] if len(spec.outputs) == 1 else
                                              [f"output:{k}" for k in spec.outputs])
    assert {f"grad:{p}" for p in spec.params} <= set(quantities)
