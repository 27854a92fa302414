"""An LLM agent's approval gate: which of the model's side-effecting calls wait for a person.

A tool's approval rule may read records that change (send_email's reads the demo records:
tools/demo/tools.py `email_rule`), so it runs once per call, when the model makes it, and its
verdict is kept in the agent's state (`VERDICTS`). Everything after reads that one verdict:
`HumanInTheLoopMiddleware`'s gate (`gate`) and its description for the reviewer; a run
resumed after the decision, which finds gated the calls the reviewer saw, no more, no fewer;
and the proposal, which says who approved a call when it was gated and ran (the middleware
runs a gated call only after an approve or an edit): the reviewer the resume value names
(`reviewed_gate` keeps it per call in `REVIEWERS`), as the graph's review node records one.

No `from __future__ import annotations` here: the state schema is built where LangChain is
imported (late: it is slow to import), and its annotations must be objects, not names.
"""

from collections.abc import Callable, Mapping, Sequence
from typing import Annotated, Any, NotRequired

from langchain_core.messages import AIMessage

from ringmaster.tools.base import Tool

# The agent's state key: per tool call id, why its tool's approval rule asks a person for it,
# or None.
VERDICTS = "ringmaster_approval_verdicts"
# The agent's state key: per tool call id the gate stopped, who decided it.
REVIEWERS = "ringmaster_approval_reviewers"
# Who approved a gated call when the resume value names nobody (a client that sends only the
# decisions, as LangChain's own middleware asks).
SOMEONE = "hitl"


def verdicts_of(tools: Mapping[str, Tool], calls: Sequence[Any]) -> dict[str, str | None]:
    """The approval rule's verdict on each side-effecting call: why it needs a person, or
    None."""
    return {
        call["id"]: tool.needs_approval(call.get("args") or {})
        for call in calls
        if (tool := tools.get(call["name"])) is not None and tool.side_effect
    }


def gate_reason(state: Any, call: Mapping[str, Any], tool: Tool) -> str | None:
    """Why `call` waits for a person: its kept verdict; in a run stored before verdicts were
    kept (an approval pending across an upgrade), the rule now, as that run asked it."""
    verdicts = (state or {}).get(VERDICTS) or {}
    if call.get("id") in verdicts:
        return verdicts[call["id"]]
    return tool.needs_approval(call.get("args") or {})


def approved_by(state: Any, call_id: str | None) -> str:
    """Who let a gated call run: the reviewer who decided it (`REVIEWERS`), else `SOMEONE`."""
    return str(((state or {}).get(REVIEWERS) or {}).get(call_id) or SOMEONE)


def reviewed_gate(interrupt_on: Mapping[str, Any]) -> Any:
    """`HumanInTheLoopMiddleware` that also keeps, per call it stopped, the reviewer the
    resume value names (ringmaster's decision service sends `{"decisions": …, "reviewer": …}`;
    the middleware reads only the decisions)."""
    from langchain.agents.middleware import HumanInTheLoopMiddleware

    from ringmaster.agents.langgraph_internals import resume_values

    class ReviewedGate(HumanInTheLoopMiddleware):  # type: ignore[type-arg]
        def after_model(self, state: Any, runtime: Any) -> dict[str, Any] | None:
            update = super().after_model(state, runtime)
            # The value its interrupt returned (no public way to it: langgraph_internals).
            resumed = resume_values()
            if update is None or not resumed or not isinstance(resumed[0], dict):
                return update
            reviewer = resumed[0].get("reviewer")
            last = next((m for m in reversed(state["messages"]) if isinstance(m, AIMessage)), None)
            if not reviewer or last is None:
                return update
            known = dict(state.get(REVIEWERS) or {})
            return {**update, REVIEWERS: known | {c["id"]: str(reviewer) for c in last.tool_calls}}

    return ReviewedGate(interrupt_on=dict(interrupt_on))


def gate(tool: Tool) -> Callable[[Any], bool]:
    """`HumanInTheLoopMiddleware`'s `when` for `tool`: the call's kept verdict asks for a
    person."""

    def when(request: Any) -> bool:
        return gate_reason(request.state, request.tool_call, tool) is not None

    return when


def approvals_middleware(tools: Mapping[str, Tool]) -> Any:
    """The middleware that keeps `verdicts_of` the model's last calls in the agent's state.

    It goes after `HumanInTheLoopMiddleware` in the agent's list, so its after_model runs
    first. A verdict the run's context already holds (`AgentContext.verdicts`: the plain loop
    asked before handing over) is kept, not asked again.
    """
    from langchain.agents.middleware import AgentMiddleware, AgentState
    from langchain.agents.middleware.types import PrivateStateAttr

    class ApprovalState(AgentState):  # type: ignore[type-arg]
        ringmaster_approval_verdicts: NotRequired[
            Annotated[dict[str, str | None], PrivateStateAttr]
        ]
        ringmaster_approval_reviewers: NotRequired[Annotated[dict[str, str], PrivateStateAttr]]

    class Approvals(AgentMiddleware):  # type: ignore[type-arg]
        state_schema = ApprovalState

        def after_model(self, state: Any, runtime: Any) -> dict[str, Any] | None:
            last = next((m for m in reversed(state["messages"]) if isinstance(m, AIMessage)), None)
            known = dict(state.get(VERDICTS) or {})
            new = [c for c in (last.tool_calls if last else []) if c["id"] not in known]
            given = getattr(runtime.context, "verdicts", None) or {}
            asked = verdicts_of(tools, [c for c in new if c["id"] not in given])
            kept = {c["id"]: given[c["id"]] for c in new if c["id"] in given}
            return {VERDICTS: known | kept | asked} if kept or asked else None

    return Approvals()
