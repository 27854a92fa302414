"""A team's routing block chosen by cross-validation on its own examples (`eval build-team`).

The default floor (0.5) and margin (0.1) sent 5-10% of in-scope Banking77 and SLURP requests to
a person: a team of many close agents has lower top probabilities than the demo team's. Here each
fold's examples are scored by the planner's TF-IDF classifier trained on the other folds (with the
team's human examples), as the planner would see a request it was not trained on, and the
thresholds are picked on those held-out scores:

- without human examples there is nothing out of scope to catch, so an escalation is only worth
  it when it stops a wrong route: among the pairs that escalate at most `max_escalated` of the
  held-out in-scope examples, the one that stops the most wrong routes per right one it loses;
- the team's own out-of-scope examples (human examples) are left to the planner's out-of-scope
  check (`graph/planner/scope.py`), which the floor and margin come on top of.

The held-out share per agent is capped, so a 150-agent team costs `folds` small trainings.

Each classifier is scored as itself (`classifier`): the hybrid's temperature-scaled probabilities
sit higher than TF-IDF's (on SLURP val half A, 5-fold, mean top probability 0.89 against 0.82),
so thresholds picked on TF-IDF's scores say little about the hybrid's. The hybrid's folds embed
each example once (`_Memo`).
"""

from __future__ import annotations

import random
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from ringmaster.graph.planner.classifier import HUMAN, TextClassifier, TfidfClassifier

FLOORS = (0.0, 0.05, 0.1, 0.15, 0.2, 0.25, 0.3, 0.35, 0.4, 0.45, 0.5)
MARGINS = (0.0, 0.02, 0.05, 0.1)


@dataclass(frozen=True)
class ChosenRouting:
    confidence_floor: float
    min_margin: float
    escalated: float  # share of held-out in-scope examples sent to a person
    routed_accuracy: float  # share of the routed ones that went to their agent
    held_out: int
    classifier: str = "tfidf"  # the classifier whose held-out scores these were picked on

    def block(self) -> dict[str, float]:
        return {"confidence_floor": self.confidence_floor, "min_margin": self.min_margin}


class _Memo:
    """An encoder that embeds each distinct text once across the folds."""

    def __init__(self, encoder: Any) -> None:
        self.name = encoder.name
        self._encoder = encoder
        self._seen: dict[str, np.ndarray] = {}

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        missing = list(dict.fromkeys(t for t in texts if t not in self._seen))
        if missing:
            self._seen.update(zip(missing, self._encoder.encode(missing), strict=True))
        return np.stack([self._seen[t] for t in texts])


def _trainer(classifier: str) -> Callable[[list[str], list[str]], TextClassifier]:
    if classifier == "tfidf":
        return TfidfClassifier.train
    if classifier != "hybrid":
        raise ValueError(f"unknown classifier {classifier!r} (tfidf or hybrid)")
    from ringmaster.graph.planner.embeddings import HybridClassifier, MiniLMEncoder

    encoder = _Memo(MiniLMEncoder())
    return lambda texts, labels: HybridClassifier.train(texts, labels, encoder=encoder)


def held_out_scores(
    by_agent: dict[str, list[str]],
    humans: Sequence[str],
    *,
    folds: int = 3,
    per_agent: int = 30,
    seed: int = 0,
    classifier: str = "tfidf",
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(top probability, margin, routed right) of held-out in-scope examples, as `_route` would
    compute them (the human share stays in the normalisation), scored by `classifier`."""
    train = _trainer(classifier)
    rng = random.Random(seed)
    assignment: dict[str, list[tuple[str, int]]] = {}
    for agent, texts in sorted(by_agent.items()):
        pool = list(dict.fromkeys(texts))
        rng.shuffle(pool)
        assignment[agent] = [(t, i % folds) for i, t in enumerate(pool)]
    tops: list[float] = []
    margins: list[float] = []
    right: list[bool] = []
    for fold in range(folds):
        train_t: list[str] = []
        train_l: list[str] = []
        test: list[tuple[str, str]] = []
        for agent, items in assignment.items():
            held = [t for t, f in items if f == fold][:per_agent]
            rest = [t for t, f in items if f != fold] or held[:1]
            train_t += rest
            train_l += [agent] * len(rest)
            test += [(t, agent) for t in held if t not in rest]
        train_t += list(humans)
        train_l += [HUMAN] * len(humans)
        if len(set(train_l)) < 2 or not test:
            continue
        scorer = train(train_t, train_l)
        for (_, agent), s in zip(test, scorer.score([t for t, _ in test]), strict=True):
            agents = sorted(
                ((a, p) for a, p in s.probs.items() if a != HUMAN), key=lambda ap: -ap[1]
            )
            total = sum(p for _, p in agents) + s.probs.get(HUMAN, 0.0)
            p1 = agents[0][1] / total if total else 0.0
            p2 = agents[1][1] / total if len(agents) > 1 and total else 0.0
            tops.append(p1)
            margins.append(p1 - p2)
            right.append(agents[0][0] == agent)
    return np.asarray(tops), np.asarray(margins), np.asarray(right, dtype=bool)


def choose_routing(
    by_agent: dict[str, list[str]],
    humans: Sequence[str] = (),
    *,
    max_escalated: float = 0.03,
    seed: int = 0,
    classifier: str = "tfidf",
) -> ChosenRouting | None:
    """The floor and margin for a team routed by `classifier`, from cross-validation on its
    examples; None when the team has too few examples to hold any out."""
    agents = {a: t for a, t in by_agent.items() if t}
    if len(agents) < 2 or sum(len(t) >= 2 for t in agents.values()) < 2:
        return None
    top, margin, right = held_out_scores(
        defaultdict(list, agents), humans, seed=seed, classifier=classifier
    )
    if not len(top):
        return None
    best: tuple[float, float, float] | None = None
    chosen = (0.0, 0.0)
    for floor in FLOORS:
        for m in MARGINS:
            esc = (top < floor) | (margin < m)
            if esc.mean() > max_escalated:
                continue
            stopped = float(np.sum(esc & ~right))  # wrong routes sent to a person instead
            lost = float(np.sum(esc & right))  # right routes sent to a person
            key = (stopped - lost, -floor, -m)  # ties: the lower thresholds
            if best is None or key > best:
                best, chosen = key, (floor, m)
    floor, m = chosen
    esc = (top < floor) | (margin < m)
    routed = ~esc
    return ChosenRouting(
        confidence_floor=floor,
        min_margin=m,
        escalated=float(esc.mean()),
        routed_accuracy=float(right[routed].mean()) if routed.any() else 0.0,
        held_out=len(top),
        classifier=classifier,
    )


def routing_block(
    by_agent: dict[str, list[str]],
    humans: Sequence[str] = (),
    classifier: str = "tfidf",
    *,
    max_escalated: float = 0.03,
    seed: int = 0,
) -> tuple[dict[str, Any], ChosenRouting] | None:
    """A team file's routing block for `classifier` and the pick behind it; None as
    `choose_routing`. A hybrid block carries TF-IDF's own thresholds under `by_classifier`,
    for a machine without the embeddings extra (the planner then routes with TF-IDF)."""
    chosen = choose_routing(
        by_agent, humans, max_escalated=max_escalated, seed=seed, classifier=classifier
    )
    if chosen is None:
        return None
    block: dict[str, Any] = dict(chosen.block())
    if classifier != "tfidf":
        tfidf = choose_routing(by_agent, humans, max_escalated=max_escalated, seed=seed)
        block["classifier"] = classifier
        if tfidf is not None:
            block["by_classifier"] = {"tfidf": tfidf.block()}
    return block, chosen
