"""The LLM planner: one model call returns the whole plan as structured output.

The model sees the agent catalogue (names, descriptions, a few examples each, from the team
through `prompts/planner_system.md`) and answers with a plan in a compact schema
(`PLAN_SCHEMA`, read back by `PlanDraft`). An answer that cannot be
used — malformed, an agent no one has heard of, dependencies on missing subtasks or in a cycle
— is sent back once with what is wrong (`prompts/plan_repair.md`). If the second answer fails
too, or the model cannot be reached at all (the provider SDK has already retried), the plan
comes from the fallback planner and says so (`planner="llm→local"`), or, without one, the
request goes to a person. Never a silent guess.

How the plan is asked for is a setting (`StructuredMethod`): `json_schema` (the default: the
server enforces the schema), `function_calling` (a tool call whose arguments are the plan), or
`json_mode` (any JSON object; the schema is then spelled out in the system message, since the
server does not see it). The repair turn keeps roles alternating — system, user (the request),
assistant (the unusable answer), user (what is wrong with it, without repeating it) — so chat
templates that refuse two user messages in a row (Mistral, Gemma) take it.

A spent request budget (`BudgetExceeded`) is not a model failure: it propagates, so the plan
node sends the request to a person without a fallback that might call a model again.
"""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Callable, Sequence
from typing import Any, Literal, get_args

from langchain_core.messages import AIMessage, BaseMessage, HumanMessage, SystemMessage
from pydantic import (
    AliasChoices,
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
)

from ringmaster.agents.models import model_label
from ringmaster.agents.spec import Team
from ringmaster.graph.errors import BudgetExceeded
from ringmaster.graph.planner.base import Plan, Planner, Subtask, human_plan
from ringmaster.prompts.loader import render, version

log = logging.getLogger(__name__)


# The schema is sent with every planning call, so it is kept small: short field names (each
# explained once, in the system prompt), no descriptions, ids implied by position (t1, t2 …)
# and only `task`, `agent` and `conf` required. `DraftSubtask` maps it back to the plan's
# names, and also reads the long names (`description`, `confidence`, `depends_on` …) a model
# may answer with anyway.
PLAN_TOOL = "plan"
PLAN_SCHEMA: dict[str, Any] = {
    "title": PLAN_TOOL,
    "type": "object",
    "properties": {
        "parts": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {
                    "task": {"type": "string"},
                    "agent": {"type": ["string", "null"]},
                    "conf": {"type": "number"},
                    "why": {"type": "string"},
                    "after": {"type": "array", "items": {"type": "integer"}},
                },
                "required": ["task", "agent", "conf"],
            },
        }
    },
    "required": ["parts"],
}


class DraftSubtask(BaseModel):
    """A subtask as the model wrote it (compact or long names)."""

    model_config = ConfigDict(extra="ignore")

    id: str | None = None
    description: str = Field(validation_alias=AliasChoices("task", "description"))
    agent: str | None
    confidence: float = Field(validation_alias=AliasChoices("conf", "confidence"))
    rationale: str = Field(default="", validation_alias=AliasChoices("why", "rationale"))
    depends_on: list[str] = Field(
        default_factory=list, validation_alias=AliasChoices("after", "depends_on")
    )

    @field_validator("depends_on", mode="before")
    @classmethod
    def _part_numbers(cls, value: Any) -> Any:
        """`after: [1]` is part t1; ids (`"t1"`) pass as they are."""
        if not isinstance(value, list):
            return value
        return [
            f"t{v}" if isinstance(v, int) or (isinstance(v, str) and v.isdigit()) else v
            for v in value
        ]


class PlanDraft(BaseModel):
    """The plan as the model wrote it."""

    model_config = ConfigDict(extra="ignore")

    subtasks: list[DraftSubtask] = Field(validation_alias=AliasChoices("parts", "subtasks"))


class PlanRejected(ValueError):
    """A draft the planner cannot use; the message is sent back to the model."""


def catalogue(team: Team, allowed: Sequence[str] | None, examples: int) -> str:
    """The agents the model may route to, each with its description and a few examples."""
    lines = []
    for spec in team.agents:
        if allowed is not None and spec.name not in allowed:
            continue
        lines.append(f"- {spec.name}: {' '.join(spec.description.split())}")
        lines += [f'    e.g. "{e}"' for e in spec.examples[:examples]]
    return "\n".join(lines)


def _answer_text(raw: Any) -> str:
    """What the model said, whether as text or as a tool call, for the repair message."""
    if raw is None:
        return "(not readable)"
    calls = getattr(raw, "tool_calls", None)
    if calls:
        return json.dumps(calls[0].get("args", {}))[:2000]
    content = getattr(raw, "content", raw)
    return (content if isinstance(content, str) else json.dumps(content, default=str))[:2000]


StructuredMethod = Literal["json_schema", "function_calling", "json_mode"]
STRUCTURED_METHODS: tuple[str, ...] = get_args(StructuredMethod)


class LLMPlanner:
    """A `Planner` backed by a chat model; counts its model calls and tokens."""

    name = "llm"

    def __init__(
        self,
        team: Team,
        model: Any,
        *,
        fallback: Planner | None = None,
        examples_per_agent: int = 3,
        structured_method: StructuredMethod = "json_schema",
        model_name: str | None = None,
    ) -> None:
        if structured_method not in STRUCTURED_METHODS:
            raise ValueError(
                f"structured output method {structured_method!r}: use one of "
                + ", ".join(STRUCTURED_METHODS)
            )
        self.team = team
        self.fallback = fallback
        self.examples_per_agent = examples_per_agent
        self.structured_method = structured_method
        self._structured = _structured_call(model, structured_method)
        self.model = model_name or model_label(model)  # evals: model-backed, cached by name
        self.prompt_version = version("planner_system", "plan_repair", "planner_context")
        self._lock = threading.Lock()
        self.model_calls = 0
        self.tokens = 0
        self.repairs = 0
        self.fallbacks = 0

    # -- the protocol ----------------------------------------------------------------------
    def plan(
        self, request: str, *, allowed_agents: Sequence[str] | None = None, context: str = ""
    ) -> Plan:
        allowed = list(allowed_agents) if allowed_agents is not None else self.team.names()
        system = render(
            "planner_system",
            catalogue=catalogue(self.team, allowed, self.examples_per_agent),
        )
        if self.structured_method == "json_mode":  # the server does not see the schema
            system += (
                "\n\nAnswer with one JSON object only, valid against this JSON Schema:\n"
                + json.dumps(PLAN_SCHEMA)
            )
        # The thread's resolved references, a few lines after the request: never the
        # conversation itself.
        asked = request
        if context:
            asked += "\n\n" + render("planner_context", references=context)
        messages: list[BaseMessage] = [SystemMessage(system), HumanMessage(asked)]
        error = "no answer"
        for attempt in (1, 2):
            try:
                raw, draft, parse_error = self._ask(messages)
            except BudgetExceeded:
                raise
            except ValueError as exc:  # a provider that parses inside the call (json_schema)
                raw, draft, parse_error = None, None, _short(exc)
            except Exception as exc:  # the SDK already retried; another call would not help
                log.warning("LLM planner call failed: %s", exc)
                plan = self._fall_back(request, allowed, f"the model call failed: {exc}")
                return plan.model_copy(update={"stand_in": True})
            try:
                if draft is None:
                    raise PlanRejected(f"the answer is not a valid plan ({parse_error})")
                return self._to_plan(draft)
            except PlanRejected as exc:
                error = str(exc)
            if attempt == 1:
                with self._lock:
                    self.repairs += 1
                # Roles alternate: the unusable answer is the assistant's turn, said once; the
                # user's turn after it says only what is wrong with it.
                repair = render("plan_repair", error=error)
                messages = [*messages[:2], AIMessage(_answer_text(raw)), HumanMessage(repair)]
        return self._fall_back(request, allowed, f"the model's plan was unusable twice: {error}")

    # -- internals -------------------------------------------------------------------------
    def _ask(self, messages: list[BaseMessage]) -> tuple[Any, PlanDraft | None, str | None]:
        with self._lock:
            self.model_calls += 1
        raw, parsed, error = self._structured(messages)
        meta = getattr(raw, "usage_metadata", None) or {}
        with self._lock:
            self.tokens += int(meta.get("total_tokens", 0) or 0)
        if isinstance(parsed, dict):  # the schema is a dict: the parsed answer is one too
            try:
                parsed = PlanDraft.model_validate(parsed)
            except ValidationError as exc:
                return raw, None, _short(exc)
        return raw, parsed if isinstance(parsed, PlanDraft) else None, _short(error)

    def _to_plan(self, draft: PlanDraft) -> Plan:
        known = set(self.team.names())
        unknown = sorted({s.agent for s in draft.subtasks if s.agent and s.agent not in known})
        if unknown:
            raise PlanRejected(
                f"unknown agent(s) {', '.join(unknown)}; the agents are: {', '.join(sorted(known))}"
            )
        floor = self.team.routing.confidence_floor
        subtasks = []
        for i, d in enumerate(draft.subtasks, start=1):
            reason, kind = None, None
            if d.agent is None:
                reason, kind = "the planner found no agent for this part", "no_agent"
            elif d.confidence < floor:
                reason = f"the planner's confidence {d.confidence:.2f} is below {floor:.2f}"
                kind = "low_confidence"
            subtasks.append(
                {
                    "id": d.id or f"t{i}",
                    "description": d.description,
                    "agent": d.agent,
                    "confidence": d.confidence,
                    "rationale": d.rationale,
                    "depends_on": d.depends_on,
                    "escalate": reason is not None,
                    "escalation_reason": reason,
                    "escalation_kind": kind,
                }
            )
        try:
            return Plan(planner=self.name, subtasks=[Subtask.model_validate(s) for s in subtasks])
        except ValidationError as exc:
            raise PlanRejected(_short(exc) or "the plan is not valid") from None

    def _fall_back(self, request: str, allowed: list[str], reason: str) -> Plan:
        with self._lock:
            self.fallbacks += 1
        if self.fallback is None:
            return human_plan(request, f"LLM planner: {reason}", f"{self.name}→human", "failed")
        plan = self.fallback.plan(request, allowed_agents=allowed)
        marked = [
            s.model_copy(update={"rationale": f"{s.rationale} [LLM planner: {reason}]".strip()})
            for s in plan.subtasks
        ]
        return plan.model_copy(
            update={"planner": f"{self.name}→{self.fallback.name}", "subtasks": marked}
        )


def _structured_call(
    model: Any, method: str
) -> Callable[[list[BaseMessage]], tuple[Any, Any, Any]]:
    """The planning call: messages -> (the model's answer, the parsed plan, the parsing error).

    `with_structured_output(..., include_raw=True)` returns those three, but runs the parser in
    a `RunnableParallel`: a new thread pool, and a new thread for each of its steps, on every
    call. Without `include_raw` LangChain's chat models build `bound model | parser`; calling
    the two in turn gives the same three without them (an error of the call itself propagates,
    as it does there). Anything else is called whole, with `include_raw=True`.
    """
    from langchain_core.runnables import RunnableSequence

    chain = model.with_structured_output(PLAN_SCHEMA, method=method)
    if isinstance(chain, RunnableSequence):
        first, *rest = chain.steps
        parser = rest[0] if len(rest) == 1 else RunnableSequence(*rest)

        def call(messages: list[BaseMessage]) -> tuple[Any, Any, Any]:
            raw = first.invoke(messages)
            try:
                return raw, parser.invoke(raw), None
            except Exception as exc:  # include_raw=True's parsing_error
                return raw, None, exc

        return call
    whole = model.with_structured_output(PLAN_SCHEMA, include_raw=True, method=method)

    def call_whole(messages: list[BaseMessage]) -> tuple[Any, Any, Any]:
        out = whole.invoke(messages)
        return out.get("raw"), out.get("parsed"), out.get("parsing_error")

    return call_whole


def _short(error: object) -> str | None:
    if error is None:
        return None
    if isinstance(error, ValidationError):
        parts = []
        for e in error.errors()[:3]:
            where = ".".join(str(p) for p in e["loc"])
            parts.append(f"{where}: {e['msg']}" if where else e["msg"])
        return "; ".join(parts)
    return str(error).splitlines()[0][:300] if str(error) else type(error).__name__
