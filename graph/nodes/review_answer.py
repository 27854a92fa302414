"""The answer a review interrupt accepts: its `response_schema`, and the shapes it takes.

Every `interrupt()` of the review node passes `answer_schema(packet)` as its response schema,
so LangGraph checks a resume value before the node sees it: a typo ("aprove"), a decision the
action does not allow, or the wrong number of decisions raises a `pydantic.ValidationError`
and nothing is decided; the review node then asks again, saying why (graph/nodes/review.py).
Clients (LangGraph Studio, Agent Inbox) read the schema from the interrupt.

Accepted shapes, all turned into LangChain's `{"decisions": [Decision, ...]}`:

- LangChain's batched `HITLResponse`: `{"decisions": [...]}` (ringmaster's runner sends this,
  with `reviewer`);
- LangChain's `per_call` answer: a single `Decision`, `{"type": "approve"}`, for a review of
  one action;
- Agent Inbox's (for HITL interrupts): decisions whose edit is `{"type": "edit", "args":
  {"action": name, "args": {...}}}` and whose rejection reason is in `args`
  (`{"type": "reject", "args": "why"}`).
"""

from __future__ import annotations

from typing import Annotated, Any, Literal, Union

from pydantic import BaseModel, ConfigDict, Field, model_validator


def check_response(packet: dict[str, Any], response: Any) -> list[dict[str, Any]]:
    """The decisions in a resume value, or ValueError saying why they cannot be used."""
    if not isinstance(response, dict) or not isinstance(response.get("decisions"), list):
        raise ValueError("a review answer is {'decisions': [...]}, one per action request")
    decisions = response["decisions"]
    actions = packet["action_requests"]
    if len(decisions) != len(actions):
        raise ValueError(f"{len(actions)} action(s) need a decision; got {len(decisions)}")
    for decision, config in zip(decisions, packet["review_configs"], strict=True):
        kind = decision.get("type") if isinstance(decision, dict) else None
        if kind not in config["allowed_decisions"]:
            raise ValueError(
                f"{kind!r} is not allowed for {config['action_name']} "
                f"(allowed: {', '.join(config['allowed_decisions'])})"
            )
        if kind == "edit":
            edited = decision.get("edited_action")
            if not isinstance(edited, dict) or not isinstance(edited.get("args"), dict):
                raise ValueError("an edit needs edited_action with args")
        if kind == "respond" and not str(decision.get("message", "")).strip():
            raise ValueError("a respond decision needs a message")
    return decisions


class _Decision(BaseModel):
    model_config = ConfigDict(extra="ignore")


class ApproveDecision(_Decision):
    """Run the action as proposed."""

    type: Literal["approve"]


class EditedAction(BaseModel):
    """The action with the reviewer's arguments."""

    name: str | None = None
    args: dict[str, Any]


class EditDecision(_Decision):
    """Run the action with other arguments."""

    type: Literal["edit"]
    edited_action: EditedAction

    @model_validator(mode="before")
    @classmethod
    def _agent_inbox_edit(cls, data: Any) -> Any:
        # Agent Inbox: {"type": "edit", "args": {"action": name, "args": {...}}}
        if isinstance(data, dict) and "edited_action" not in data:
            edited = data.get("args")
            if isinstance(edited, dict) and isinstance(edited.get("args"), dict):
                return {**data, "edited_action": {"name": edited.get("action"), **edited}}
        return data


def _reason_from_args(data: Any) -> Any:
    # Agent Inbox puts the reviewer's text in `args`.
    if isinstance(data, dict) and "message" not in data and isinstance(data.get("args"), str):
        return {**data, "message": data["args"]}
    return data


class RejectDecision(_Decision):
    """Do not run the action; `message` says why."""

    type: Literal["reject"]
    message: str | None = None

    _reason = model_validator(mode="before")(_reason_from_args)


class RespondDecision(_Decision):
    """Answer in the action's place."""

    type: Literal["respond"]
    message: str = Field(min_length=1, pattern=r"\S")

    _reason = model_validator(mode="before")(_reason_from_args)


DECISION_MODELS: dict[str, type[_Decision]] = {
    "approve": ApproveDecision,
    "edit": EditDecision,
    "reject": RejectDecision,
    "respond": RespondDecision,
}


class ReviewAnswer(BaseModel):
    """A reviewer's answer to one review interrupt."""

    model_config = ConfigDict(extra="allow")  # the runner adds reviewer and reason

    decisions: list[Any]
    reviewer: str | None = None

    @model_validator(mode="before")
    @classmethod
    def _single_decision(cls, data: Any) -> Any:
        # LangChain's per_call shape: one Decision, not wrapped in {"decisions": [...]}.
        if isinstance(data, dict) and "decisions" not in data and "type" in data:
            return {"decisions": [data]}
        return data


def answer_schema(packet: dict[str, Any]) -> type[ReviewAnswer]:
    """The response schema of one review interrupt: one decision per action request, of the
    kinds its review configs allow, checked as `check_response` checks the review queue's."""
    configs = packet["review_configs"]
    allowed = [k for k in DECISION_MODELS if any(k in c["allowed_decisions"] for c in configs)]
    members = [DECISION_MODELS[k] for k in allowed]
    decision: Any = members[0]
    if len(members) > 1:
        decision = Annotated[Union[tuple(members)], Field(discriminator="type")]  # noqa: UP007
    n = len(packet["action_requests"])

    class Answer(ReviewAnswer):
        decisions: list[decision] = Field(min_length=n, max_length=n)  # type: ignore[valid-type]

        @model_validator(mode="after")
        def _check(self) -> Answer:
            check_response(packet, as_response(self))  # a ValueError → a ValidationError
            return self

    Answer.__name__ = Answer.__qualname__ = "ReviewAnswer"
    return Answer


def as_response(answer: ReviewAnswer | dict[str, Any]) -> dict[str, Any]:
    """The answer as the review node and the audit log read it: `{"decisions": [...], ...}`."""
    if isinstance(answer, dict):
        return answer
    return answer.model_dump(exclude_none=True)
