"""Percentiles of measured values (latencies, durations), one definition for every report.

`statistics.quantiles` with the inclusive method: linear interpolation between the closest
ranks, the same as numpy's default `percentile`.
"""

from __future__ import annotations

import statistics
from collections.abc import Sequence


def percentile(values: Sequence[float], q: float) -> float:
    """The q-th percentile (0..100, to a tenth) of the values, interpolated; ValueError if
    there are none."""
    if not 0 <= q <= 100:
        raise ValueError(f"a percentile is between 0 and 100, not {q}")
    if not values:
        raise ValueError("a percentile of no values")
    if len(values) == 1 or q in (0, 100):
        return float(min(values) if q == 0 else max(values) if q == 100 else values[0])
    cuts = statistics.quantiles(values, n=1000, method="inclusive")
    return float(cuts[round(q * 10) - 1])
