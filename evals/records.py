"""What a run records per row: the expected labels next to the planner's plan, flattened to JSON.

Metrics, reports, comparisons and threshold tuning all read these records, never a live planner,
so a saved run can be re-scored and compared long after the planner has changed.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from ringmaster.evals.dataset import HUMAN, EvalRow
from ringmaster.graph.planner.base import Plan, Subtask


@dataclass
class SubtaskPrediction:
    """One planned subtask: who it went to, who would have got it, and how sure the planner was."""

    agent: str | None  # None: the planner sent it to a human without naming an agent
    best_guess: str | None  # the agent it would go to if nothing were escalated
    confidence: float  # what the planner declared
    top_score: float  # probability of `best_guess` (the confidence, or the top alternative's)
    margin: float  # top_score minus the runner-up's score
    escalate: bool
    alternatives: list[tuple[str, float]] = field(default_factory=list)

    @classmethod
    def from_subtask(cls, s: Subtask) -> SubtaskPrediction:
        alts = sorted(((a.agent, a.score) for a in s.alternatives), key=lambda x: -x[1])
        if s.agent is not None:
            best, top = s.agent, s.confidence
        elif alts:
            # Escalated without an agent: the best alternative is the planner's best guess.
            best, top = alts[0]
        else:
            best, top = None, 0.0
        runner_up = max((score for agent, score in alts if agent != best), default=0.0)
        return cls(
            agent=s.agent,
            best_guess=best,
            confidence=s.confidence,
            top_score=top,
            margin=max(0.0, top - runner_up),
            escalate=s.escalate or s.agent is None,
            alternatives=alts[:3],
        )


@dataclass
class RowPrediction:
    """One row of a run: the labels, the plan, its cost and any planner error."""

    line: int
    text: str
    expected_agents: list[str]
    expected_escalate: bool
    expected_subtasks: int
    tags: list[str]
    subtasks: list[SubtaskPrediction]
    escalation_score: float  # higher: more likely a human's; planner-provided or 1 - min top_score
    latency_ms: float
    model_calls: int = 0
    tokens: int = 0
    cached: bool = False
    error: str | None = None  # the planner raised: the row fails closed, as an escalation
    # A cascade's row planned by its local stage without a model call; None: not a cascade.
    planned_locally: bool | None = None

    @classmethod
    def from_plan(
        cls,
        row: EvalRow,
        plan: Plan | None,
        *,
        latency_ms: float,
        escalation_score: float | None = None,
        model_calls: int = 0,
        tokens: int = 0,
        cached: bool = False,
        error: str | None = None,
        planned_locally: bool | None = None,
    ) -> RowPrediction:
        subtasks = [SubtaskPrediction.from_subtask(s) for s in plan.subtasks] if plan else []
        if escalation_score is None:
            escalation_score = 1.0 - min((s.top_score for s in subtasks), default=0.0)
        return cls(
            line=row.line,
            text=row.text,
            expected_agents=list(row.agents),
            expected_escalate=row.escalate,
            expected_subtasks=row.subtasks,
            tags=list(row.tags),
            subtasks=subtasks,
            escalation_score=float(escalation_score),
            latency_ms=latency_ms,
            model_calls=model_calls,
            tokens=tokens,
            cached=cached,
            error=error,
            planned_locally=planned_locally,
        )

    # -- expected ---------------------------------------------------------------------

    @property
    def expected_set(self) -> frozenset[str]:
        return frozenset({HUMAN}) if self.expected_escalate else frozenset(self.expected_agents)

    @property
    def in_scope(self) -> bool:
        return not self.expected_escalate

    @property
    def multi_part(self) -> bool:
        return self.expected_subtasks >= 2

    # -- predicted --------------------------------------------------------------------

    @property
    def predicted_escalate(self) -> bool:
        """A human is involved: any subtask escalated, or the planner failed (fail closed)."""
        return self.error is not None or not self.subtasks or any(s.escalate for s in self.subtasks)

    @property
    def predicted_set(self) -> frozenset[str]:
        """Agents routed to, plus `human` if anything escalated: a partial escalation is wrong."""
        routed = {s.agent for s in self.subtasks if not s.escalate and s.agent is not None}
        return frozenset(routed | ({HUMAN} if self.predicted_escalate else set()))

    @property
    def guessed_agents(self) -> frozenset[str]:
        """Agents the plan would reach if nothing were escalated."""
        return frozenset(s.best_guess for s in self.subtasks if s.best_guess is not None)

    @property
    def first_guess(self) -> str | None:
        return self.subtasks[0].best_guess if self.subtasks else None

    @property
    def first_top_score(self) -> float:
        return self.subtasks[0].top_score if self.subtasks else 0.0

    @property
    def correct(self) -> bool:
        return self.predicted_set == self.expected_set

    @property
    def routed_right(self) -> bool:
        """Top-1: the first subtask's best guess is the first agent mentioned (in-scope rows)."""
        return self.in_scope and self.first_guess == self.expected_agents[0]

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> RowPrediction:
        subtasks = [
            SubtaskPrediction(
                **{**s, "alternatives": [tuple(a) for a in s.get("alternatives", [])]}
            )
            for s in data["subtasks"]
        ]
        return cls(**{**data, "subtasks": subtasks})
