"""A follow-up turn routed as the turn before it: "do the same for CUS-1019", "and what about
credits?".

A follow-up that repeats the last turn's action for another record, or asks the last turn's
question of something else, says little of its own. The resolver rewrites most of them into the
earlier request ("same for INV-1003" → "refund INV-1003 in full"); one it leaves as typed ("Please
do the same for CUS-1019, who reported the same problem.") reaches the planner with its few
words, which route anywhere (a credit's repeat went to support, which looked the customer up
and reported done). So, when the turn before went to one agent:

- a turn that says it repeats ("do the same", "same for", "same thing", "ditto", "likewise",
  "do that for/too") goes to that agent, as surely as the turn before went there, unless the
  planner sent it to a person for a reason of its own (out of scope, an agent the requester may
  not reach);
- a turn that only leans on the last one ("and …", "also …", "what about …", "… too", "… as
  well") goes to that agent when the planner was unsure of it (too low, or two agents too
  close) and ranked that agent among its alternatives: "And what about credits?" after a count
  of refunds is analytics', not legal's at 0.48.

A plan of several subtasks, or a turn before that went to several agents or to none, is left as
the planner made it: which part carries what is not for a rule to guess.
"""

from __future__ import annotations

import re

from ringmaster.agents.repeat_words import REPEAT_PHRASE
from ringmaster.graph.planner.base import Alternative, Plan

REPEATS = re.compile(rf"\b{REPEAT_PHRASE}\b", re.IGNORECASE)
LEANS = re.compile(
    r"^\W*(?:and|also|plus|what about|how about)\b|\b(?:too|as well)\W*$", re.IGNORECASE
)


def previous_agent(previous: Plan | None) -> str | None:
    """The one agent the turn before went to, or None (none, several, or no turn before)."""
    if previous is None:
        return None
    agents = {s.agent for s in previous.subtasks if s.agent is not None}
    return agents.pop() if len(agents) == 1 else None


def carried(plan: Plan, text: str, previous: Plan | None) -> Plan:
    """`plan` for the follow-up `text`, its one subtask routed as the turn before when the
    text repeats that turn or leans on it and the planner could not tell (see the module)."""
    agent = previous_agent(previous)
    if previous is None or agent is None or len(plan.subtasks) != 1:
        return plan
    s = plan.subtasks[0]
    if s.agent == agent and not s.escalate:
        return plan
    ranked = {a.agent: a.score for a in s.alternatives}
    if s.agent == agent:
        ranked[agent] = s.confidence
    if REPEATS.search(text) and (not s.escalate or s.unsure):
        how = "repeats it"
        # As sure as the route it repeats: the planner alone scored the agent low or not at all.
        confidence = max(p.confidence for p in previous.subtasks if p.agent == agent)
    elif LEANS.search(text) and s.unsure and agent in ranked:
        how = "leans on it and the planner was unsure"
        confidence = ranked[agent]  # the planner's own score for the agent
    else:
        return plan
    # The agent the planner picked, if another, leads the alternatives, so a reviewer sees
    # both readings.
    displaced = []
    if s.agent is not None and s.agent != agent:
        displaced = [Alternative(agent=s.agent, score=s.confidence)]
    moved = s.model_copy(
        update={
            "agent": agent,
            "escalate": False,
            "escalation_reason": None,
            "escalation_kind": None,
            "confidence": confidence,
            "rationale": f"{agent}: the turn before went to {agent} and this one {how}; "
            f"the planner alone said: {s.rationale}",
            "alternatives": displaced + [a for a in s.alternatives if a.agent != agent],
        }
    )
    return plan.model_copy(update={"subtasks": [moved]})
