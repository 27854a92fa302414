"""A team's routing block chosen by cross-validation on its own examples (`eval build-team`).

The default floor (0.5) and margin (0.1) sent 5-10% of in-scope Banking77 and SLURP requests to
a person: a team of many close agents has lower top probabilities than the demo team's. Here each
fold's examples are scored by the planner's TF-IDF classifier trained on the other folds, as the
planner would see a request it was not trained on, and the thresholds are picked on those
held-out scores. The team's human examples are folded like an agent's: each fold holds some out
(at most `per_agent`) as out-of-scope requests and trains the human label on the rest.

A held-out example goes to a person when the planner's out-of-scope check
(`graph/planner/scope.py`, `HumanClassScope` with its default floor) sends it, or when its top
agent probability is below the floor, or its lead over the next agent is below the margin
(`graph/planner/routing.py`). The criterion: among the pairs whose floor and margin send at most
`max_escalated` of the held-out in-scope examples to a person on top of the out-of-scope check
(the check's own share is not the block's to spend; `ChosenRouting.escalated` reports both), the
pair that handles the most held-out examples right, each counting one:

- an in-scope example routed to its own agent;
- an in-scope example whose top agent is wrong, sent to a person instead (a wrong route stopped);
- an out-of-scope (human) example sent to a person.

Ties go to the lower floor, then the lower margin. Without human examples this ranks the pairs
as the criterion before it did (wrong routes stopped minus right ones lost), over the examples the
out-of-scope check leaves to the thresholds; with them an out-of-scope example that only a floor
or margin catches is worth as much as an in-scope route. How much each side weighs
follows the team's own examples (a fold holds at most `per_agent` of each agent's and of the
human examples), not any traffic's mix.

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
from ringmaster.graph.planner.routing import ranked_agents
from ringmaster.graph.planner.scope import HumanClassScope

FLOORS = (0.0, 0.05, 0.1, 0.15, 0.2, 0.25, 0.3, 0.35, 0.4, 0.45, 0.5)
MARGINS = (0.0, 0.02, 0.05, 0.1)


@dataclass(frozen=True)
class ChosenRouting:
    confidence_floor: float
    min_margin: float
    escalated: float  # share of held-out in-scope examples sent to a person (scope check too)
    routed_accuracy: float  # share of the routed ones that went to their agent
    held_out: int  # held-out in-scope examples
    classifier: str = "tfidf"  # the classifier whose held-out scores these were picked on
    out_of_scope: int = 0  # held-out human examples
    out_of_scope_caught: float = 0.0  # share of them sent to a person
    # the share of the held-out in-scope examples the out-of-scope check sends, whatever the
    # thresholds (part of `escalated`, not bounded by `max_escalated`)
    by_check: float = 0.0

    def block(self) -> dict[str, float]:
        return {"confidence_floor": self.confidence_floor, "min_margin": self.min_margin}


@dataclass(frozen=True)
class HeldOut:
    """The held-out examples' scores, as `routing.route` would compute them (the human share
    stays in the normalisation); one entry per example, in-scope and out-of-scope alike."""

    top: np.ndarray  # top agent probability
    margin: np.ndarray  # its lead over the next agent
    right: np.ndarray  # the top agent is the example's own (always False out of scope)
    scoped: np.ndarray  # the out-of-scope check sends it to a person, whatever the thresholds
    human: np.ndarray  # a held-out human example (out of scope)

    def escalated(self, floor: float, margin: float) -> np.ndarray:
        return self.scoped | (self.top < floor) | (self.margin < margin)


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
) -> HeldOut:
    """Every fold's held-out agent and human examples scored by `classifier` trained on the
    other folds (with the human label on the other folds' human examples)."""
    train = _trainer(classifier)
    scope = HumanClassScope()
    rng = random.Random(seed)
    assignment: dict[str, list[tuple[str, int]]] = {}
    for agent, texts in sorted(by_agent.items()):
        pool = list(dict.fromkeys(texts))
        rng.shuffle(pool)
        assignment[agent] = [(t, i % folds) for i, t in enumerate(pool)]
    human_pool = list(dict.fromkeys(humans))
    rng.shuffle(human_pool)
    labelled = [(HUMAN, [(t, i % folds) for i, t in enumerate(human_pool)])]
    tops: list[float] = []
    margins: list[float] = []
    right: list[bool] = []
    scoped: list[bool] = []
    human: list[bool] = []
    for fold in range(folds):
        train_t: list[str] = []
        train_l: list[str] = []
        test: list[tuple[str, str]] = []
        for label, items in [*assignment.items(), *labelled]:
            held = [t for t, f in items if f == fold][:per_agent]
            rest = [t for t, f in items if f != fold] or held[:1]
            train_t += rest
            train_l += [label] * len(rest)
            test += [(t, label) for t in held if t not in rest]
        if len(set(train_l)) < 2 or not test:
            continue
        scorer = train(train_t, train_l)
        for (_, label), s in zip(test, scorer.score([t for t, _ in test]), strict=True):
            agents = ranked_agents(s)  # as `routing.route` ranks them
            p1 = agents[0][1]
            p2 = agents[1][1] if len(agents) > 1 else 0.0
            tops.append(p1)
            margins.append(p1 - p2)
            right.append(agents[0][0] == label)
            scoped.append(scope.out_of_scope(s) is not None)
            human.append(label == HUMAN)
    return HeldOut(
        top=np.asarray(tops),
        margin=np.asarray(margins),
        right=np.asarray(right, dtype=bool),
        scoped=np.asarray(scoped, dtype=bool),
        human=np.asarray(human, dtype=bool),
    )


def choose_routing(
    by_agent: dict[str, list[str]],
    humans: Sequence[str] = (),
    *,
    max_escalated: float = 0.03,
    seed: int = 0,
    classifier: str = "tfidf",
) -> ChosenRouting | None:
    """The floor and margin for a team routed by `classifier`, from cross-validation on its
    examples and human examples by the module's criterion; None when the team has too few
    examples to hold any out."""
    agents = {a: t for a, t in by_agent.items() if t}
    if len(agents) < 2 or sum(len(t) >= 2 for t in agents.values()) < 2:
        return None
    held = held_out_scores(defaultdict(list, agents), humans, seed=seed, classifier=classifier)
    inside = ~held.human
    if not inside.any():
        return None
    best: tuple[int, float, float] | None = None
    chosen = (0.0, 0.0)
    for floor in FLOORS:
        for m in MARGINS:
            esc = held.escalated(floor, m)
            if (esc & ~held.scoped)[inside].mean() > max_escalated:
                continue
            # Routed to its own agent, a wrong route stopped, an out-of-scope one caught.
            handled = np.where(inside, esc != held.right, esc)
            key = (int(handled.sum()), -floor, -m)  # ties: the lower thresholds
            if best is None or key > best:
                best, chosen = key, (floor, m)
    floor, m = chosen
    esc = held.escalated(floor, m)
    routed = inside & ~esc
    return ChosenRouting(
        confidence_floor=floor,
        min_margin=m,
        escalated=float(esc[inside].mean()),
        by_check=float(held.scoped[inside].mean()),
        routed_accuracy=float(held.right[routed].mean()) if routed.any() else 0.0,
        held_out=int(inside.sum()),
        classifier=classifier,
        out_of_scope=int(held.human.sum()),
        out_of_scope_caught=float(esc[held.human].mean()) if held.human.any() else 0.0,
    )


def routing_block(
    by_agent: dict[str, list[str]],
    humans: Sequence[str] = (),
    classifier: str = "tfidf",
    *,
    max_escalated: float = 0.03,
    seed: int = 0,
) -> tuple[dict[str, Any], ChosenRouting, ChosenRouting | None] | None:
    """A team file's routing block for `classifier`, the pick behind it and TF-IDF's own pick
    (None for a TF-IDF block); None as `choose_routing`. A hybrid block carries TF-IDF's
    thresholds under `by_classifier`, for a machine without the embeddings extra (the planner
    then routes with TF-IDF)."""
    chosen = choose_routing(
        by_agent, humans, max_escalated=max_escalated, seed=seed, classifier=classifier
    )
    if chosen is None:
        return None
    block: dict[str, Any] = dict(chosen.block())
    tfidf = None
    if classifier != "tfidf":
        tfidf = choose_routing(by_agent, humans, max_escalated=max_escalated, seed=seed)
        block["classifier"] = classifier
        if tfidf is not None:
            block["by_classifier"] = {"tfidf": tfidf.block()}
    return block, chosen, tfidf
