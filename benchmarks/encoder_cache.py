"""What `MiniLMEncoder` remembering the vectors it made saves the hybrid planner per request,
and what the hybrid costs against TF-IDF, measured side by side in one run.

    .venv/bin/python -m benchmarks.encoder_cache [--limit N]

The demo team's tuning splits (`evals/datasets/demo-team-dev*.jsonl`, never a held-out set;
the first `--limit` requests, 150 by default) are planned three times: by one hybrid demo
planner with the encoder as it is (a text it encoded before is not sent to the model again)
and sending every text it is given to the model, as it did before it remembered; and by a
TF-IDF demo planner (the same team, cutter seed and thresholds tuned for each). The ways
alternate request by request, and their order rotates, so load drifts hit all alike.
Printed: median and p95 milliseconds per request each way, the median of the per-request
ratios against "every text", the texts sent to the model, and how many plans differ from
"every text" in their agents. Needs the embeddings extra.
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

    encoders = {"remembering": remembering, "every text": every_text, "tfidf": REMEMBERING}
    texts = _texts()[: args.limit]
    team = load_team(DEMO_TEAM)
    with tempfile.TemporaryDirectory() as tmp:
        hybrid = seed_planner(team, Path(tmp) / "hybrid", classifier="hybrid")
        planners = {"remembering": hybrid, "every text": hybrid}
        planners["tfidf"] = seed_planner(team, Path(tmp) / "tfidf")
        for planner in planners.values():  # trained and loaded outside the timing
            planner.plan("warm up: show INV-1001")
        sent.update(dict.fromkeys(sent, 0))
        ms: dict[str, list[float]] = {w: [] for w in planners}
        agents: dict[str, list[list[str | None]]] = {w: [] for w in planners}
        ways = list(planners)
        for i, text in enumerate(texts):
            for way in ways[i % 3 :] + ways[: i % 3]:
                MiniLMEncoder.encode = encoders[way]  # type: ignore[method-assign]
                start = time.perf_counter()
                plan = planners[way].plan(text)
                ms[way].append((time.perf_counter() - start) * 1000)
                agents[way].append([s.agent for s in plan.subtasks])
        MiniLMEncoder.encode = REMEMBERING  # type: ignore[method-assign]
    for way, times in ms.items():
        p95 = statistics.quantiles(times, n=20)[-1]
        ratio = statistics.median(a / b for a, b in zip(times, ms["every text"], strict=True))
        differ = sum(a != b for a, b in zip(agents[way], agents["every text"], strict=True))
        print(
            f"{way:12}  median {statistics.median(times):7.1f} ms  p95 {p95:7.1f} ms  "
            f"total {sum(times) / 1000:6.1f} s  median ratio to every text {ratio:.3f}  "
            f"texts sent to the model {sent.get(way, 0)}  plans differing {differ}"
        )
    print(f"requests: {len(texts)}")


if __name__ == "__main__":
    main()
