"""What `Segmenter.opening_context` (an email's opening statements kept out of its first ask)
costs the local planner per request, measured side by side in one run.

    .venv/bin/python -m benchmarks.opening_context

Every request of the demo team's tuning splits (`evals/datasets/demo-team-dev*.jsonl`, never a
held-out set) is planned twice by one demo planner (the shipped model), once with the step and
once with it replaced by "keep the body as it is", alternating request by request (and which
goes first, so neither is always the warmer second planning of a text) so load
drifts hit both alike. The step segments the asks after the opening statements to decide, and
when it keeps them the planner segments the whole body again: that second pass is its cost.
Printed: median and p95 milliseconds per request each way, the median of the per-request
ratios, the totals, and how many plans differ in their agents.
"""

from __future__ import annotations

import json
import statistics
import tempfile
import time
from pathlib import Path

from ringmaster.agents.spec import load_team
from ringmaster.graph.planner.local import LocalPlanner
from ringmaster.graph.planner.segmenting import Segmenter

ROOT = Path(__file__).resolve().parents[1]
TEAM = ROOT / "agents" / "demo" / "team.yaml"


def _texts() -> list[str]:
    texts: list[str] = []
    for split in sorted((ROOT / "evals" / "datasets").glob("demo-team-dev*.jsonl")):
        lines = split.read_text(encoding="utf-8").splitlines()
        texts += [json.loads(line)["text"] for line in lines if line.strip()]
    return texts


def _kept(self: Segmenter, body: str) -> tuple[str, str]:
    return body, ""


def main() -> None:
    planner = LocalPlanner(load_team(TEAM), cache_dir=Path(tempfile.mkdtemp()))
    texts = _texts()
    step = Segmenter.opening_context
    planner.plan(texts[0])  # the model loaded before any timing
    on: list[float] = []
    off: list[float] = []
    differ = 0
    try:
        for i, text in enumerate(texts):
            agents = {}
            variants = [(step, on), (_kept, off)]
            # which goes first alternates too, so a text's second planning (warmer) is not
            # always the same variant's
            for fn, times in variants if i % 2 == 0 else variants[::-1]:
                Segmenter.opening_context = fn  # type: ignore[method-assign]
                start = time.perf_counter()
                plan = planner.plan(text)
                times.append(time.perf_counter() - start)
                agents[fn] = [s.agent for s in plan.subtasks]
            differ += agents[step] != agents[_kept]
    finally:
        Segmenter.opening_context = step  # type: ignore[method-assign]

    def ms(values: list[float], q: int) -> float:
        return statistics.quantiles(values, n=100)[q - 1] * 1000  # the q-th percentile

    ratio = statistics.median(a / b for a, b in zip(on, off, strict=True))
    print(f"opening_context: {len(texts)} requests of the demo tuning splits")
    for name, values in (("with the step", on), ("without", off)):
        print(
            f"{name:14} median {ms(values, 50):7.2f} ms  p95 {ms(values, 95):7.2f} ms  "
            f"total {sum(values):6.2f} s"
        )
    print(f"median ratio (with / without, per request) {ratio:.3f}; plans differing {differ}")


if __name__ == "__main__":
    main()
