"""`routing_seeds` with the hybrid's cutter trained on a hybrid scorer instead of its TF-IDF
stand-in (`cutter.train_cutter`'s default scorer), to see whether that mismatch over-splits.

    .venv/bin/python -m benchmarks.hybrid_cutter --seeds 0 --classifier hybrid \
        --splits dev2 dev4 dev6 dev8 dev10 dev12 dev14 dev16

Takes `routing_seeds`' options; only the cutter's training changes (~6 minutes a seed on the
demo team on 2 CPUs, against seconds). Figures: benchmarks/README.md.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from typing import Any

import ringmaster.graph.planner.local_model as local_model
from benchmarks import routing_seeds
from ringmaster.graph.planner.cutter import Cutter, train_cutter
from ringmaster.graph.planner.settings import LocalPlannerSettings


def hybrid_scored_cutter(
    texts: list[str], labels: list[str], settings: LocalPlannerSettings, learned: bool
) -> Cutter | None:
    """`local_model.train_cutter`, its synthetic requests scored by a hybrid classifier."""
    if not learned:
        return None
    from ringmaster.graph.planner.embeddings import HybridClassifier, MiniLMEncoder

    encoder = MiniLMEncoder()  # one per cutter, so each text is embedded once

    def scorer(t: Sequence[str], lab: Sequence[str]) -> Any:
        return HybridClassifier.train(t, lab, settings.hybrid, encoder=encoder)

    return train_cutter(
        texts, labels, settings.cutter, scorer_factory=scorer, tfidf=settings.classifier
    )


def main(argv: Sequence[str] | None = None) -> None:
    local_model.train_cutter = hybrid_scored_cutter  # type: ignore[assignment]
    routing_seeds.main(argv)


if __name__ == "__main__":
    main(sys.argv[1:])
