"""Percentiles as the benchmarks report them."""

from __future__ import annotations

from collections.abc import Sequence


def nearest_rank(values: Sequence[float], q: float) -> float:
    """The sorted value at rank round(q * (n - 1)), q in 0..1: an observed time, never a blend."""
    ordered = sorted(values)
    rank = max(0, min(len(ordered) - 1, round(q * (len(ordered) - 1))))
    return ordered[rank]
