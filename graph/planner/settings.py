"""What is tunable about the local planner, apart from the team's routing thresholds."""

from __future__ import annotations

from dataclasses import dataclass, field

from ringmaster.graph.planner.cutter import CutterConfig
from ringmaster.graph.planner.embedding_config import HybridConfig
from ringmaster.graph.planner.scope import HumanClassScope, ScopeCheck
from ringmaster.graph.planner.scoring import TfidfConfig
from ringmaster.graph.planner.splitter import BoundaryKind


@dataclass(frozen=True)
class SplitPolicy:
    """How confident both sides of a cut must be for the cut to stand."""

    weak_floor: float = 0.55  # "and", "also", "plus", "as well as", commas
    strong_floor: float = 0.45  # sentences, list items, semicolons, "then"
    # The whole request's view of a cut (`cut_rules.whole_allows`): when the whole request
    # routes with at least `whole_confident` to one side's label, the other side must reach
    # `other_floor` on its own to stand as a second request ("my account is blocked and i have
    # no idea why" is one banking request, not banking + small talk).
    whole_confident: float = 0.995
    other_floor: float = 0.9
    # Across a weak cut the whole request must also show a trace of the other side: when it routes
    # with at least `weak_whole_confident` to one side's label, the other side's label must be
    # among its `whole_rank` best. "i'm at a new job and i need to do a 401k rollover" is work
    # (0.999) with small talk nowhere near second, so "i'm at a new job" is no request of its own.
    weak_whole_confident: float = 0.98
    whole_rank: int = 2
    # With a learned cutter: a cut between two parts that each route to a different agent with
    # at least this probability stands whatever the cutter says. At 0.95 it cut an answered ask
    # ("Thanks, the refund came through.") from the newest one; at 0.99 the cutter decides it.
    sure: float = 0.99
    # A part that leans on its neighbour ("… and then list the steps for applying for it") is
    # also read with its pronoun resolved (`graph/planner/antecedents.py`), and that reading
    # counts when the classifier is surer of it.
    resolve_pronouns: bool = True

    def floor(self, kind: BoundaryKind | None) -> float:
        return self.strong_floor if kind == "strong" else self.weak_floor


@dataclass(frozen=True)
class LocalPlannerSettings:
    """Everything tunable about the local planner apart from the team's routing thresholds."""

    classifier: TfidfConfig = field(default_factory=TfidfConfig)
    # "tfidf" or "hybrid" (TF-IDF + sentence embedding, needs the `embeddings` extra); None:
    # the team file's `routing.classifier`.
    kind: str | None = None
    hybrid: HybridConfig = field(default_factory=HybridConfig)
    split: SplitPolicy = field(default_factory=SplitPolicy)
    # True: cuts are kept or glued by the team's learned cutter (`graph/planner/cutter.py`);
    # False: by the fixed rules of `SplitPolicy` (as before the cutter, for comparison); None:
    # learned when the agents have at least `learned_split_min` examples each on average, so
    # that enough are left to hold out and synthesise requests from.
    learned_split: bool | None = None
    learned_split_min: int = 20
    cutter: CutterConfig = field(default_factory=CutterConfig)
    scope: ScopeCheck = field(default_factory=HumanClassScope)
    max_alternatives: int = 3
