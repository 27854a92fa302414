"""The cascade: the local planner first, the model only when the local plan is not good enough.

The local plan stands when every subtask is routed (none escalated), each with confidence at
least `min_confidence` and a lead of at least `min_margin` over the next agent, and the request
does not look like it has more parts than the local plan found. Otherwise the LLM planner
plans it. `local_share` is the share of requests planned without a model call.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Sequence

from ringmaster.graph.planner.base import Plan, Planner
from ringmaster.graph.planner.llm import LLMPlanner

# Where a request's parts usually start: sentences, semicolons, lines, list items, "then",
# "also". Plain "and" is left out: "terms and conditions" is one part.
_CUTS = re.compile(
    r"(?:[.?!]\s+(?=[A-Z])|;\s*|\n+\s*(?:[-*•]|\d+[.)])?\s*|,?\s+(?:and\s+)?then\s+|,?\s+also\s+)",
    re.IGNORECASE,
)


def estimated_parts(request: str) -> int:
    """How many parts the request seems to have, by its punctuation and linking words."""
    chunks = [c for c in _CUTS.split(request.strip()) if len(c.split()) >= 2]
    return max(1, len(chunks))


def why_unsure(plan: Plan, request: str, min_confidence: float, min_margin: float) -> str | None:
    """Why the local plan needs the model, or None when it can stand."""
    for s in plan.subtasks:
        if s.escalate or s.agent is None:
            return f"{s.id} is escalated ({s.escalation_reason or 'no agent'})"
        if s.confidence < min_confidence:
            return f"{s.id} confidence {s.confidence:.2f} < {min_confidence:.2f}"
        runner_up = max((a.score for a in s.alternatives if a.agent != s.agent), default=0.0)
        if s.confidence - runner_up < min_margin:
            return f"{s.id} margin {s.confidence - runner_up:.2f} < {min_margin:.2f}"
    parts = estimated_parts(request)
    if parts > len(plan.subtasks):
        return f"the request looks like {parts} parts; the local plan has {len(plan.subtasks)}"
    return None


class CascadePlanner:
    """Local planner first; `LLMPlanner` when the local plan is unsure or looks incomplete."""

    name = "cascade"

    def __init__(
        self,
        local: Planner,
        llm: LLMPlanner,
        *,
        min_confidence: float = 0.7,
        min_margin: float = 0.2,
    ) -> None:
        self.local = local
        self.llm = llm
        self.min_confidence = min_confidence
        self.min_margin = min_margin
        self.model = llm.model
        self.prompt_version = f"{llm.prompt_version}|c{min_confidence}|m{min_margin}"
        self._lock = threading.Lock()
        self.requests = 0
        self.local_only = 0
        self.last_reason: str | None = None  # why the last request went to the model

    @property
    def model_calls(self) -> int:
        return self.llm.model_calls

    @property
    def tokens(self) -> int:
        return self.llm.tokens

    @property
    def local_share(self) -> float:
        """Share of requests planned without a model call (0 before the first)."""
        with self._lock:
            return self.local_only / self.requests if self.requests else 0.0

    def planned_locally(self, plan: Plan) -> bool:
        """Whether this cascade's plan came from the local planner alone (no model call)."""
        return plan.planner == f"{self.name}:{self.local.name}"

    def plan(
        self, request: str, *, allowed_agents: Sequence[str] | None = None, context: str = ""
    ) -> Plan:
        local = self.local.plan(request, allowed_agents=allowed_agents)
        reason = why_unsure(local, request, self.min_confidence, self.min_margin)
        with self._lock:
            self.requests += 1
            self.local_only += reason is None
            self.last_reason = reason
        if reason is None:
            return local.model_copy(update={"planner": f"{self.name}:{self.local.name}"})
        plan = self.llm.plan(request, allowed_agents=allowed_agents, context=context)
        return plan.model_copy(update={"planner": f"{self.name}:{plan.planner}"})
