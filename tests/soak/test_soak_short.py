"""The short soak that runs in `make test` (benchmarks/soak.py runs the long one):
documents, injected faults and SIGKILLed `lote sync` processes; nothing lost, nothing
issued twice."""

from __future__ import annotations

from pathlib import Path

import pytest

from benchmarks.soak import SETUPS, run_soak


@pytest.mark.slow
@pytest.mark.parametrize("provider", sorted(SETUPS))
def test_short_soak_loses_nothing_and_issues_nothing_twice(provider: str, tmp_path: Path) -> None:
    result = run_soak(provider, docs=150, kills=3, fault_rate=0.10, work=tmp_path, seed=3,
                      max_runtime=240)
    assert result.saved == 150
    assert result.lost == 0
    assert result.issued_twice == 0
    assert result.resent == 0
    assert result.approved + result.rejected == 150
    assert result.rejected > 0  # the authority's refusals were exercised too
