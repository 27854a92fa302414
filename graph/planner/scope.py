"""Out-of-scope detection: whether a request belongs to no agent and should go to a person.

`ScopeCheck` is the swappable piece; `HumanClassScope` is the default. It combines two signals
that fail differently:

- the team's `human_examples` are trained as one more label (`HUMAN`); a request is out of
  scope when that label outranks every agent. This catches chit-chat and everyday requests that
  share words with the examples ("book me a table", "what's the weather").
- the cosine similarity (TF-IDF word + char n-grams) to the nearest *agent* example; a request
  below `similarity_floor` is out of scope whatever the probabilities say. This catches requests
  unlike both the agents and the human examples, where a softmax still has to put its mass
  somewhere. A plain floor on the top probability does neither well: see the figures in
  `graph/planner/local.py`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from ringmaster.graph.planner.base import EscalationKind
from ringmaster.graph.planner.scoring import HUMAN, Scores


class ScopeCheck(Protocol):
    """Decides whether scored text is out of scope; returns why (the kind, and the reason in
    words), or None when in scope."""

    def out_of_scope(self, scores: Scores) -> tuple[EscalationKind, str] | None: ...


@dataclass(frozen=True)
class HumanClassScope:
    """Out of scope when the human label wins, or the text is far from every agent example."""

    similarity_floor: float = 0.15

    def out_of_scope(self, scores: Scores) -> tuple[EscalationKind, str] | None:
        human = scores.probs.get(HUMAN, 0.0)
        agents = [(p, a) for a, p in scores.probs.items() if a != HUMAN]
        best_p, best = max(agents) if agents else (0.0, "none")
        if human > best_p:
            return (
                "out_of_scope",
                f"looks out of scope: P(human) {human:.2f} > P({best}) {best_p:.2f}",
            )
        if scores.nearest_similarity < self.similarity_floor:
            return "unfamiliar", (
                f"unlike any agent's examples: nearest similarity "
                f"{scores.nearest_similarity:.2f} < {self.similarity_floor:.2f}"
            )
        return None
