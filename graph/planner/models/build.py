"""Write the shipped local-planner models (needs the `train` extra): one per shipped team, named by
the cache key the planner looks for, superseded ones removed.

    python -m ringmaster.graph.planner.models.build
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from ringmaster.agents.spec import Team
from ringmaster.graph.planner.local_model import (
    SHIPPED_MODELS,
    cache_key,
    learns_split,
    model_document,
    train_cutter,
    training_data,
)
from ringmaster.graph.planner.settings import LocalPlannerSettings


def shipped_teams() -> list[Team]:
    from ringmaster.agents.demo import load_demo_team

    return [load_demo_team()]


def fitted(team: Team) -> tuple[str, dict[str, Any]]:
    """The file name the planner looks for, and the model it trains for `team` (default
    settings, no cache)."""
    from ringmaster.graph.planner.classifier import TfidfClassifier

    settings = LocalPlannerSettings()
    learned = learns_split(team, settings)
    texts, labels = training_data(team)
    classifier = TfidfClassifier.train(texts, labels, settings.classifier)
    cutter = train_cutter(texts, labels, settings, learned)
    key = cache_key(team, settings, "tfidf", learned)
    return f"{key}.json", model_document(classifier.to_document(), cutter)


def encode(doc: dict[str, Any]) -> str:
    return json.dumps(doc, separators=(",", ":"), sort_keys=True) + "\n"


def main(directory: Path = SHIPPED_MODELS) -> list[Path]:
    written = []
    for team in shipped_teams():
        name, doc = fitted(team)
        path = directory / name
        path.write_text(encode(doc), encoding="utf-8")
        written.append(path)
    for old in directory.glob("*.json"):
        if old not in written:
            old.unlink()
    return written


if __name__ == "__main__":
    for path in main():
        sys.stdout.write(f"{path}\n")
