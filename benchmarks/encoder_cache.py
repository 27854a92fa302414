"""What `MiniLMEncoder` remembering the vectors it made saves the hybrid planner per request,
measured side by side in one run.

    .venv/bin/python -m benchmarks.encoder_cache [--limit N]

The demo team's tuning splits (`evals/datasets/demo-team-dev*.jsonl`, never a held-out set;
the first `--limit` requests, 150 by default) are planned twice by one hybrid demo planner:
once with the encoder as it is (a text it encoded before is not sent to the model again) and
once sending every text it is given to the model, as it did before it remembered. The two
alternate request by request, and which goes first alternates too, so load drifts hit both
alike. Printed: median and p95 milliseconds per request each way, the median of the
per-request ratios, the texts sent to the model each way, and how many plans differ.
Needs the embeddings extra.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from benchmarks.opening_context import _texts
from benchmarks.routing_seeds import DEMO_TEAM, seed_planner
from ringmaster.agents.spec import load_team
from ringmaster.graph.planner.embeddings import MiniLMEncoder

REMEMBERING = MiniLMEncoder.encode


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--limit", type=int, default=150, help="requests planned (default 150)")
    args = parser.parse_args(argv)
    sent = {"remembering": 0, "every text": 0}

    def remembering(self: MiniLMEncoder, texts: Sequence[str]) -> np.ndarray:
        sent["remembering"] += len(set(texts) - self._vectors.keys())
        return REMEMBERING(self, texts)

    def every_text(self: MiniLMEncoder, texts: Sequence[str]) -> np.ndarray:
        sent["every text"] += len(texts)
        vectors = self._load().encode(
            list(texts),
            batch_size=self.batch_size,
            normalize_embeddings=True,
            convert_to_numpy=True,
            show_progress_bar=False,
        )
        return np.asarray(vectors, dtype=np.float32)

    ways = {"remembering": remembering, "every text": every_text}
    texts = _texts()[: args.limit]
    with tempfile.TemporaryDirectory() as tmp:
        planner = seed_planner(load_team(DEMO_TEAM), Path(tmp), classifier="hybrid")
        planner.plan("warm up: show INV-1001")  # trains and loads the model outside the timing
        sent.update(dict.fromkeys(sent, 0))
        ms: dict[str, list[float]] = {w: [] for w in ways}
        agents: dict[str, list[list[str | None]]] = {w: [] for w in ways}
        for i, text in enumerate(texts):
            order = list(ways) if i % 2 == 0 else list(reversed(ways))
            for way in order:
                MiniLMEncoder.encode = ways[way]  # type: ignore[method-assign]
                start = time.perf_counter()
                plan = planner.plan(text)
                ms[way].append((time.perf_counter() - start) * 1000)
                agents[way].append([s.agent for s in plan.subtasks])
        MiniLMEncoder.encode = REMEMBERING  # type: ignore[method-assign]
    for way, times in ms.items():
        p95 = statistics.quantiles(times, n=20)[-1]
        print(
            f"{way:12}  median {statistics.median(times):7.1f} ms  p95 {p95:7.1f} ms  "
            f"total {sum(times) / 1000:6.1f} s  texts sent to the model {sent[way]}"
        )
    ratios = [a / b for a, b in zip(ms["remembering"], ms["every text"], strict=True) if b]
    differ = sum(a != b for a, b in zip(agents["remembering"], agents["every text"], strict=True))
    print(f"median ratio remembering / every text: {statistics.median(ratios):.3f}")
    print(f"requests: {len(texts)}; plans whose agents differ: {differ}")


if __name__ == "__main__":
    main()
