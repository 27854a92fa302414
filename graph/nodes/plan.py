"""The supervisor: asks the planner for a plan, and never lets it route outside the allowlist.

The plan node also starts the turn, whoever calls the graph (ringmaster's runner, LangGraph
Server, a chat client): it takes the turn's request, numbers the turn and clears the last
turn's results and answer, so a second request on a thread never returns the first's.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from langchain_core.messages import HumanMessage

from ringmaster.graph.deps import GraphDeps
from ringmaster.graph.events import emit
from ringmaster.graph.intake import validate_request
from ringmaster.graph.planner.base import Plan, human_plan
from ringmaster.graph.planner.carry import (
    answered,
    by_words,
    carried,
    kind_owners,
    only_ids_written,
    owned,
    picked_from_listing,
    worded,
)
from ringmaster.graph.pleasantries import NOTHING_ASKED, WANTS_A_PICK, pleasantry_reply
from ringmaster.graph.references import (
    Act,
    EntityKind,
    Resolved,
    acts_from_tools,
    asked_request,
    asking,
    kinds_from_team,
    resolve,
    still_waiting,
)
from ringmaster.graph.references.names import routing_names
from ringmaster.graph.references.patterns import nouns_pattern
from ringmaster.graph.standins import apply_standins
from ringmaster.graph.state import Requester, RunState, stored_turn
from ringmaster.tools.base import arguments_model
from ringmaster.tools.redaction import redact_secrets

log = logging.getLogger(__name__)


def allowed_agents(deps: GraphDeps, requester: Requester) -> list[str]:
    """The agents this requester's scopes reach."""
    scopes = frozenset(requester.scopes)
    return [a.name for a in deps.registry.team.agents if a.reachable_by(scopes)]


def enforce_allowlist(plan: Plan, allowed: list[str]) -> Plan:
    """Escalate any subtask routed outside the allowlist (whatever the planner said)."""
    fixed = []
    for s in plan.subtasks:
        if s.agent is not None and s.agent not in allowed:
            s = s.model_copy(
                update={
                    "agent": None,
                    "escalate": True,
                    "escalation_reason": f"the requester may not reach agent {s.agent!r}",
                    "escalation_kind": "unreachable",
                }
            )
        fixed.append(s)
    return plan.model_copy(update={"subtasks": fixed})


def turn_request(state: RunState) -> tuple[object, list[HumanMessage]]:
    """The turn's request, and the human message to add to the transcript for it.

    A chat client sends the request as a human message: the last message is then a human one
    no answer follows yet. Otherwise the request is `request`, and it joins the transcript
    as a human message so the next turn's last message is this turn's answer.
    """
    messages = state.get("messages") or []
    last = messages[-1] if messages else None
    if isinstance(last, HumanMessage):
        return last.text, []
    request = state.get("request")
    return request, [HumanMessage(str(request))] if isinstance(request, str) else []


def turn_number(state: RunState) -> int:
    """This turn's number: the one the caller gave, unless it is a finished turn's."""
    history = state.get("history") or []
    finished = max((h.get("turn", 0) for h in history), default=0)
    given = state.get("turn") or 0
    return given if given > finished else finished + 1


def with_references(plan: Plan, resolved: Resolved) -> Plan:
    """Each subtask's rationale says which follow-up references were resolved, and from where,
    and which clauses the request took back ("don't refund INV-1144, …instead")."""
    notes = []
    if resolved.resolutions:
        notes.append("resolved " + "; ".join(r.describe() for r in resolved.resolutions))
    if resolved.dropped:
        notes.append("taken back: " + "; ".join(repr(c) for c in resolved.dropped))
    if not notes:
        return plan
    note = ", ".join(notes)
    return plan.model_copy(
        update={
            "subtasks": [
                s.model_copy(update={"rationale": f"{s.rationale} ({note})".strip()})
                for s in plan.subtasks
            ]
        }
    )


def _with_inferred(plan: dict[str, Any], inferred: dict[str, str]) -> dict[str, Any]:
    """`plan` with each subtask carrying the records the request never named that its side
    effects may act on, and why each was taken: the validate node sends any call on one to a
    person (a repeat "for CUS-1004" never refunds the invoice it took as hers unseen)."""
    if not inferred:
        return plan
    return {**plan, "subtasks": [{**s, "inferred": inferred} for s in plan["subtasks"]]}


def team_acts(deps: GraphDeps, kinds: list[EntityKind]) -> list[Act]:
    """The side effects the team's agents can make, each with the kind of record it acts on
    ("roll back" typed alone acts on the thread's deployment, or asks which)."""
    names = dict.fromkeys(n for a in deps.registry.team.agents for n in a.tools)
    tools = [deps.registry.tools.get(n) for n in names if n in deps.registry.tools]
    reads = {f for t in tools if not t.side_effect for f in arguments_model(t).model_fields}
    return acts_from_tools(
        [(t.name, list(arguments_model(t).model_fields)) for t in tools if t.side_effect],
        kinds,
        reads,
    )


@dataclass(frozen=True)
class TeamReferences:
    """The team's kinds of record and side effects, read once, with which a message's
    references to earlier turns are resolved: the plan node's request, and a reviewer's pick
    in answer to the requester's question (graph/nodes/review.py) alike."""

    deps: GraphDeps
    kinds: list[EntityKind]
    acts: list[Act]

    @classmethod
    def of(cls, deps: GraphDeps) -> TeamReferences:
        kinds = kinds_from_team(deps.registry.team.entities)
        return cls(deps, kinds, team_acts(deps, kinds))

    def resolve(self, text: str, history: Sequence[Mapping[str, Any]]) -> Resolved:
        deps = self.deps
        return resolve(text, history, self.kinds, deps.lookup, self.acts, deps.records)


def team_kind_owners(deps: GraphDeps, kinds: list[EntityKind]) -> dict[str, str]:
    """The agent that deals with each of `kinds`, by the team's agents' tools (`kind_owners`)."""
    return kind_owners(
        [
            (a.name, t.name, list(arguments_model(t).model_fields))
            for a in deps.registry.team.agents
            for t in (deps.registry.tools.get(n) for n in a.tools if n in deps.registry.tools)
        ],
        [k.name for k in kinds],
    )


def kinds_named(text: str, kinds: list[EntityKind]) -> set[str]:
    """The kinds of record `text` names by a noun ("any tix" names tickets)."""
    return {
        k.name
        for k in kinds
        if k.nouns and re.search(rf"\b{nouns_pattern(k.nouns)}s?\b", text, re.IGNORECASE)
    }


def _redacted_messages(
    state: RunState, request: str, new_messages: list[HumanMessage]
) -> list[HumanMessage]:
    """The transcript's message of this turn with its secrets taken out: the new one, or, when
    a chat client sent the request as the last message, that message replaced (same id)."""
    if new_messages:
        return [HumanMessage(request)]
    last = (state.get("messages") or [])[-1]
    return [HumanMessage(request, id=last.id)]


def _replied(
    state: RunState,
    request: str,
    requester: Requester,
    reply: str,
    new_messages: list[HumanMessage],
    told: bool = False,
) -> dict[str, Any]:
    """The turn of a message that asks nothing, or whose request can be done on nothing
    (`told`: `Resolved.told` says why): a plan of no subtask, which the supervisor answers
    itself (`Plan.reply`: nothing is routed, and synthesize answers with it)."""
    what = (
        "a request that can be done on none of the records it stands for"
        if told
        else "a yes or no with no question waiting"
        if reply.startswith(NOTHING_ASKED)
        else "a yes or no to a question that wants a pick, asked again"
        if reply.startswith(WANTS_A_PICK)
        else "a pleasantry that asks for nothing"
    )
    why = f"{what}: answered by the supervisor, nothing raised"
    plan = Plan(planner="supervisor", reply=reply, rationale=why).model_dump()
    emit(
        "plan", "planner:supervisor", planner="supervisor", subtasks=[], reply=reply, rationale=why
    )
    return {
        "request": request,
        "requester": requester.model_dump(),
        "turn": turn_number(state),
        "plan": plan,
        "redacted": [],
        "results": None,
        "answer": None,
        "messages": new_messages,
    }


def _named_back(plan: Plan, stood: dict[str, str]) -> Plan:
    """`plan` with each id in `stood` written back as the name typed in its subtasks."""
    if not stood:
        return plan
    subtasks = []
    for s in plan.subtasks:
        description = s.description
        for entity, name in stood.items():
            description = description.replace(entity, name)
        subtasks.append(s.model_copy(update={"description": description}))
    return plan.model_copy(update={"subtasks": subtasks})


def question_of(plan: Plan | None) -> str | None:
    """The request a plan that only asked which record was meant was about, else None."""
    if plan is None or len(plan.subtasks) != 1:
        return None
    return asked_request(plan.subtasks[0].description)


def make_plan(deps: GraphDeps) -> Any:
    references = TeamReferences.of(deps)
    kinds = references.kinds
    nouns = {n for k in kinds for n in k.nouns}
    owners = team_kind_owners(deps, kinds)

    def plan(state: RunState) -> dict[str, Any]:
        # Intake: the runner checks before storing anything; this re-check guards other callers.
        text, new_messages = turn_request(state)
        request = validate_request(text, max_chars=deps.max_request_chars)
        # Taken out before anything reads or keeps the request (a caller that is not
        # ringmaster's runner hands it over as typed); the runner's intake took out the rest.
        request, found = redact_secrets(request)
        redacted = list(dict.fromkeys([*(state.get("redacted") or []), *found]))
        if found:
            new_messages = _redacted_messages(state, request, new_messages)
        requester = Requester.model_validate(state.get("requester") or {})
        # Follow-ups ("close it") are routed as what they refer to; an ambiguous one is asked.
        resolved = references.resolve(request, state.get("history") or [])
        reply = pleasantry_reply(request)
        # "thanks!": answered here; no agent, no review, no question. An answer to the last
        # turn's question ("ok", "yes thanks" to "Did you mean INV-1001 …?") is that answer.
        if reply is not None and resolved.answers is None:
            waiting = still_waiting(state.get("history") or [])
            if reply == NOTHING_ASKED and waiting:
                # "yes" to "Which ticket do you mean: …?": the question is still open.
                reply = f"{WANTS_A_PICK} {waiting}"
            return _replied(state, request, requester, reply, new_messages)
        if resolved.told:  # nothing to pick, so no question: what is true, nothing raised
            emit("references", "planner:references", request=request, **resolved.to_dict())
            return _replied(state, request, requester, resolved.told, new_messages, told=True)
        allowed = allowed_agents(deps, requester)
        if resolved.changed:
            emit("references", "planner:references", request=request, **resolved.to_dict())
        try:
            if resolved.question:
                result = human_plan(
                    asking(request, resolved.question), resolved.question, "references", "question"
                )
            else:
                # "Can you pull up Felix Rahman?" is routed as "… CUS-1040?"; the agent is
                # handed the name as typed.
                # "and Felix Rahman?" after an ask about another person: that ask, for him.
                history = state.get("history") or []
                routed, stood, swapped = routing_names(
                    resolved.text, kinds, deps.lookup, deps.records, bool(history)
                )
                result = _named_back(
                    deps.planner.plan(routed, allowed_agents=allowed, context=resolved.context()),
                    stood,
                )
                # "email the customer copies of them both": the ids written in read as
                # billing's; the words typed say what to do.
                if (
                    by_words(result)
                    and resolved.changed
                    and resolved.answers is None
                    and only_ids_written(request, resolved.text, nouns)
                ):
                    typed = deps.planner.plan(request, allowed_agents=allowed)
                    result = worded(result, typed, resolved.text)
                # "do the same for CUS-1019" left as typed: routed as the turn before it.
                # (A turn stored before `Plan.reply` is read in this version's shape.)
                previous, _ = stored_turn(state.get("plan"), {})
                before = Plan.model_validate(previous) if previous else None
                picked = picked_from_listing(
                    [r.entity for r in resolved.resolutions], history[-1] if history else None
                )
                result = carried(result, resolved.text, before, request, picked, swapped)
                # "the latency one" to "Which alert do you mean: …?": routed as the request
                # the question was about, first when that request was routed surely ("send
                # reminder for it" is content's, though the invoices picked are billing's).
                asked = question_of(before) if by_words(result) else None
                asked_plan = (
                    deps.planner.plan(asked, allowed_agents=allowed)
                    if resolved.answers is not None and asked
                    else None
                )
                # Once: before the records' agent when that request was routed surely, after
                # it when not.
                surely = asked_plan is not None and not any(s.escalate for s in asked_plan.subtasks)
                if asked_plan and surely:
                    result = answered(result, asked_plan)
                # "how long has ALT-1043 been going": an alert is ops' to look at, however
                # an unsure reading of the request the question was about ranked agents.
                if resolved.resolutions:
                    about = {r.kind for r in resolved.resolutions} | kinds_named(request, kinds)
                    result = owned(result, about, owners)
                if asked_plan and not surely:
                    result = answered(result, asked_plan)
        except Exception as exc:  # fail closed: a planner failure goes to a human
            log.exception("planner %s failed", deps.planner.name)
            result = human_plan(request, f"the planner failed: {exc}", deps.planner.name, "failed")
        result = enforce_allowlist(with_references(result, resolved), allowed)
        result = apply_standins(result, deps.registry.team, allowed, deps.availability)
        actor = f"planner:{result.planner}"
        emit(
            "plan",
            actor,
            planner=result.planner,
            subtasks=[s.model_dump() for s in result.subtasks],
        )
        for s in result.subtasks:
            emit(
                "routing",
                actor,
                subtask_id=s.id,
                agent=s.agent,
                confidence=s.confidence,
                rationale=s.rationale,
                alternatives=[a.model_dump() for a in s.alternatives],
                escalate=s.escalate,
                reason=s.escalation_reason,
            )
        return {
            # The turn works on the request as resolved: agents, reviewers and the next turn's
            # "do that for … too" see "close TCK-1001"; the transcript keeps the words typed.
            # A question's text is the request it asks about ("do the same" asks about the
            # action it repeats), which the reply to it runs with the record picked.
            "request": resolved.text if resolved.changed else request,
            "requester": requester.model_dump(),
            "turn": turn_number(state),
            "plan": _with_inferred(
                {**result.model_dump(), **({"redacted": redacted} if redacted else {})},
                {} if resolved.question else resolved.inferred(),
            ),
            "redacted": [],  # recorded in the plan; the next turn brings its own
            "results": None,  # a new turn: merge_results clears the last turn's
            "answer": None,
            # What the turn read a guessed reference as ("INV-101 read as INV-1001"), for its
            # answer to say; a question names its guesses itself.
            "read_as": [] if resolved.question else resolved.read_as(),
            "messages": new_messages,
        }

    return plan
