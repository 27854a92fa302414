"""`--fail-under` bars for CI: parse `accuracy=0.95,escalation_f1=0.7`, check a run against it."""

from __future__ import annotations

from collections.abc import Mapping

from ringmaster.evals.errors import GateError


def parse_bars(spec: str, known: set[str], lower_is_better: set[str]) -> dict[str, float]:
    """`name=value[,name=value…]` into a mapping; unknown metrics and bad numbers are errors.

    Metrics that are better lower (ECE, latency, cost) are refused: a floor on them would pass
    exactly the runs that got worse.
    """
    bars: dict[str, float] = {}
    for part in (p.strip() for p in spec.split(",")):
        if not part:
            continue
        name, sep, value = part.partition("=")
        name = name.strip()
        if not sep or not name:
            raise GateError(f"--fail-under: expected metric=value, got {part!r}")
        if name in lower_is_better:
            raise GateError(f"--fail-under: {name} is better lower; a bar under it means nothing")
        if name not in known:
            raise GateError(
                f"--fail-under: unknown metric {name!r} (known: {', '.join(sorted(known))})"
            )
        try:
            bars[name] = float(value)
        except ValueError:
            raise GateError(f"--fail-under: {name}: {value!r} is not a number") from None
    if not bars:
        raise GateError("--fail-under: no bars given")
    return bars


def failures(metrics: Mapping[str, float | None], bars: Mapping[str, float]) -> list[str]:
    """One message per metric below its bar (a metric that could not be measured fails)."""
    out: list[str] = []
    for name, bar in bars.items():
        value = metrics.get(name)
        if value is None:
            out.append(f"{name} could not be measured on this dataset (bar {bar:g})")
        elif value < bar:
            out.append(f"{name} {value:.4f} is below {bar:g}")
    return out
