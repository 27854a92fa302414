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
- a turn that only puts a person named in full in the place of the last one's ("and Felix
  Rahman?", "sorry, I meant Felix Rahman") goes to that agent, as surely as the turn before
  went there, however the planner read the name's letters, unless it sent the turn to a person
  for a reason other than its few words (an agent the requester may not reach);
- a turn that only leans on the last one ("and …", "also …", "what about …", "… too", "… as
  well", as typed or as the resolver rewrote it) goes to that agent when the planner was
  unsure of it (too low, or two agents too close) and ranked that agent among its
  alternatives: "And what about credits?" after a count of refunds is analytics', not legal's
  at 0.48;
- a turn about the last one's result ("is it up compared to April?" after May's revenue),
  whose "it" the resolver bound to no record, goes to that agent when the planner was unsure
  and ranked that agent first;
- a turn that picks a record the last turn's answer listed ("the auth one - since when?"
  after three firing alerts), which the planner could not place (unsure, or the human label
  won with that agent first), goes to that agent when the planner ranked it;
- a leaning turn of a few words that names only what changes ("and in June?", "what about
  staging?") goes to that agent when the planner, which reads the fragment alone, said it looks
  like a person's (the human label won) but ranked that agent first among the agents: two
  words share too little with any example to say out of scope. A longer one ("and what's a
  good lunch spot nearby?") keeps the planner's reading.

A plan of several subtasks, or a turn before that went to several agents or to none, is left as
the planner made it: which part carries what is not for a rule to guess.

A follow-up the resolver rewrote ("email the customer copies of them both" → "email CUS-1021
copies of INV-1067 and INV-1114") is planned with its references written as ids, and an id
reads as its owner's (an invoice's as billing's), or cuts at the "and" the rewrite put between
two ids. When the words typed were one ask the planner was sure of (`SURE`), that agent takes
the rewritten request as one subtask (`worded`): the rewrite says which records, not what to
do, and adds no ask. Words only sure at less ("close that one", "add a note to it", which
alone read as content's) keep the rewritten request's route.

A follow-up whose references the resolver read as records of kinds one agent deals with ("how
long has ALT-1043 been going", "Pull up DOC-1021."), or whose words name such a kind beside a
person's record ("does CUS-1013 have any tix"), goes to that agent when the planner, which
reads the few words left beside the ids, could not place it (unsure, or the human label won)
and ranked that agent: the records say whose domain it is (`owned`). An agent deals with a kind
when its tools take that kind's id or are named after it, more of them than all other agents'
together (`kind_owners`): tickets are support's though content reads one, a customer is no one
agent's.

A reply to the supervisor's own question ("Which alert do you mean: ALT-1041 or ALT-1042?" →
"the latency one") comes after a turn that went to no agent; it is routed as the request the
question was about (`answered`).
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Collection, Iterable, Mapping
from typing import Any

from ringmaster.agents.repeat_words import REPEAT_PHRASE
from ringmaster.graph.planner.base import Alternative, Plan, Subtask

REPEATS = re.compile(rf"\b{REPEAT_PHRASE}\b", re.IGNORECASE)
LEANS = re.compile(
    r"^\W*(?:and|n|also|plus|what about|how about)\b|\b(?:too|as well)\W*$", re.IGNORECASE
)
# A pronoun left as typed: the resolver bound it to no record, so it is the last turn's result.
ABOUT_RESULT = re.compile(r"\b(?:it|that|this|those|these|them)\b", re.IGNORECASE)
_AND = re.compile(r"\band\b", re.IGNORECASE)
# The words a reference is made of, which a rewrite replaces by ids. A count or a place in a
# list picks records as a pronoun does ("the other two", "the first three", "the last one").
REFERRING = frozenset(
    "it its them they their theirs her hers him his she he that this those these the a both "
    "all one ones other others rest same each either two three four five first second third "
    "last former latter".split()
)
# How sure the planner must be of a follow-up's words as typed to route its rewrite by them. A
# part needs as much (`SplitPolicy.other_floor`) to stand as a request of its own; "add a note
# to it" (content 0.86, a note on a ticket is support's) stays under it.
SURE = 0.9
# What the planner says of a few words that share too little with any example: a person's
# name and "sorry, I meant" read as nothing the team does.
_WORDS_ALONE = ("out_of_scope", "unfamiliar")
# A fragment this short after its leaning words names what changes, not a request of its own.
FRAGMENT_WORDS = 3


def previous_agent(previous: Plan | None) -> str | None:
    """The one agent the turn before went to, or None (none, several, or no turn before)."""
    if previous is None:
        return None
    agents = {s.agent for s in previous.subtasks if s.agent is not None}
    return agents.pop() if len(agents) == 1 else None


def fragment(text: str) -> bool:
    """Whether `text` leans on the turn before and, without its leaning words, is a few words
    ("and in June?", "what about last week?")."""
    if not LEANS.search(text):
        return False
    return len(re.findall(r"[\w'-]+", LEANS.sub(" ", text))) <= FRAGMENT_WORDS


def _first(s: Subtask) -> str | None:
    """The agent the planner ranked first for `s`: its pick, or the best of its alternatives
    when it named none."""
    if s.agent is not None:
        return s.agent
    return s.alternatives[0].agent if s.alternatives else None


def picked_from_listing(entities: Collection[str], last: Mapping[str, Any] | None) -> bool:
    """Whether every record of `entities` (what the turn's references were read as) is one the
    last turn's answer listed beside another of its kind, and not one its request named: "the
    auth one - since when?" after three firing alerts were listed."""
    if not entities or last is None:
        return False
    seen = last.get("entities") or {}
    named = {e for _, e in seen.get("named") or []}
    listed = Counter(k for k, _ in seen.get("touched") or [])
    kind_of = {e: k for k, e in seen.get("touched") or []}
    return all(e in kind_of and e not in named and listed[kind_of[e]] > 1 for e in entities)


def carried(
    plan: Plan,
    text: str,
    previous: Plan | None,
    typed: str = "",
    picked: bool = False,
    swapped: bool = False,
) -> Plan:
    """`plan` for the follow-up `text`, its one subtask routed as the turn before when the
    text repeats that turn or leans on it and the planner could not tell (see the module).

    `typed` is the request as typed when the resolver rewrote it: "and the latency one?"
    leans on the turn before though its rewrite ("ALT-1042 - since when?") no longer says so.
    `picked`: the turn's references are records the turn before listed (`picked_from_listing`).
    `swapped`: the turn only puts a person named in full in the place of the last ask's
    (`names.swaps_a_person`)."""
    agent = previous_agent(previous)
    if previous is None or agent is None or len(plan.subtasks) != 1:
        return plan
    s = plan.subtasks[0]
    if s.agent == agent and not s.escalate:
        return plan
    ranked = {a.agent: a.score for a in s.alternatives}
    if s.agent == agent:
        ranked[agent] = s.confidence
    # The readings by `typed` and `picked` follow a turn that went to the agent, not one whose
    # planner only named it while a person was asked.
    went = not any(p.escalate for p in previous.subtasks)
    if REPEATS.search(text) and (not s.escalate or s.unsure):
        how = "repeats it"
        # As sure as the route it repeats: the planner alone scored the agent low or not at all.
        confidence = max(p.confidence for p in previous.subtasks if p.agent == agent)
    elif swapped and went and (not s.escalate or s.unsure or s.escalation_kind in _WORDS_ALONE):
        how = "asks it of another person"
        confidence = max(p.confidence for p in previous.subtasks if p.agent == agent)
    elif (LEANS.search(text) or (went and LEANS.search(typed))) and s.unsure and agent in ranked:
        how = "leans on it and the planner was unsure"
        confidence = ranked[agent]  # the planner's own score for the agent
    elif (picked and went) and (
        (s.unsure and agent in ranked)
        or (s.escalation_kind == "out_of_scope" and _first(s) == agent)
    ):
        how = "picks a record its answer listed and the planner could not tell"
        confidence = ranked[agent]
    elif ABOUT_RESULT.search(text) and s.unsure and _first(s) == agent:
        how = "asks about its result and the planner was unsure"
        confidence = ranked[agent]
    elif fragment(text) and s.escalation_kind == "out_of_scope" and _first(s) == agent:
        how = "names only what changes from it"
        confidence = ranked[agent]
    else:
        return plan
    return _moved(plan, agent, f"the turn before went to {agent} and this one {how}", confidence)


def by_words(plan: Plan) -> bool:
    """Whether a classifier of words alone made `plan`: the local planner (`LocalPlanner.name`),
    or a cascade's local step. A model planner reads the thread in its `context`, so the words
    typed and the question asked are already before it; asking it again costs a call."""
    return plan.planner.rsplit(":", 1)[-1] == "local"


def only_ids_written(typed: str, text: str, nouns: Collection[str]) -> bool:
    """Whether `text` is `typed` with ids written where only pronouns, determiners and the
    records' `nouns` stood ("email the customer copies of them both" → "email CUS-1021 copies
    of INV-1067 and INV-1114"): no word of what to do was replaced ("close there charged twice
    tkt" → "close TCK-1056" drops a description) and none added (a repeat written out)."""
    was, now = _words(typed), _words(text)
    stood = REFERRING | {w for n in nouns for w in (n.lower(), f"{n.lower()}s")}
    return now <= was | {"and"} and was - now <= stood


def _words(text: str) -> set[str]:
    # A word with a digit in it is an id, which the rewrite is there to write in.
    return {w for w in re.findall(r"[\w'-]+", text.lower()) if not any(c.isdigit() for c in w)}


def worded(plan: Plan, typed: Plan, text: str) -> Plan:
    """`plan` for the rewritten follow-up `text`, as one subtask for the agent its words as
    typed went to (`typed`) when the planner was sure of them and routed the rewrite elsewhere
    (see the module; the caller checks `only_ids_written`); a part the planner sent to a
    person for a reason of its own keeps the plan."""
    if len(typed.subtasks) != 1:
        return plan
    t = typed.subtasks[0]
    if t.escalate or t.agent is None or t.confidence < SURE:
        return plan
    if any(s.escalate and not _unsettled(s) for s in plan.subtasks):
        return plan
    # A cut at an "and" the rewrite wrote between two ids is the rewrite's; one at words typed
    # ("close it and email her …", which the words alone left as one ask) is the requester's.
    if len(plan.subtasks) > 1 and len(_AND.findall(text)) <= len(_AND.findall(t.description)):
        return plan
    if plan.agents() == {t.agent} and len(plan.subtasks) == 1 and not plan.subtasks[0].escalate:
        return plan
    said = "; ".join(f"{s.agent or 'a person'}: {s.description}" for s in plan.subtasks)
    one = t.model_copy(
        update={
            "description": text,
            "rationale": f"{t.agent}: the words typed were sure of {t.agent} "
            f"({t.confidence:.2f}) and the records they name only say which; the request with "
            f"its ids written in said {said}; the words typed said: {t.rationale}",
        }
    )
    return plan.model_copy(update={"subtasks": [one]})


def kind_owners(
    tools: Iterable[tuple[str, str, Collection[str]]], kinds: Collection[str]
) -> dict[str, str]:
    """The agent that deals with each of `kinds` of record, by `tools` given as (agent, tool
    name, argument names): the one whose tools take the kind's id (`ticket_id`) or are named
    after it (`list_alerts`), more of them than all other agents' together. A kind no agent
    deals with so (a customer, whom billing, support and legal all look up) has none."""
    counts: dict[str, Counter[str]] = {k: Counter() for k in kinds}
    for agent, name, args in tools:
        words = set(name.lower().split("_"))
        for kind, by in counts.items():
            if f"{kind}_id" in args or kind in words or f"{kind}s" in words:
                by[agent] += 1
    owners = {}
    for kind, by in counts.items():
        if by:
            agent, n = by.most_common(1)[0]
            if n > by.total() - n:
                owners[kind] = agent
    return owners


def owned(plan: Plan, kinds: Collection[str], owners: Mapping[str, str]) -> Plan:
    """`plan` for a follow-up about records of `kinds` (those its references were read as and
    those its words name: "does CUS-1013 have any tix"), its one subtask routed to the agent
    that deals with all of them that have an agent (`owners`, by `kind_owners`; a customer is
    whoever's) when the planner could not place it and ranked that agent (see the module)."""
    if len(plan.subtasks) != 1:
        return plan
    s = plan.subtasks[0]
    kinds = sorted(k for k in kinds if k in owners)
    agents = {owners[k] for k in kinds}
    if not _unsettled(s) or len(agents) != 1:
        return plan
    agent = agents.pop()
    ranked = {a.agent: a.score for a in s.alternatives}
    if s.agent is not None:
        ranked[s.agent] = s.confidence
    if agent not in ranked:
        return plan
    what = " and ".join(f"{k}s" for k in sorted(kinds))
    why = f"the records it refers to are {what}, which {agent} deals with"
    return _moved(plan, agent, why, ranked[agent])


def answered(plan: Plan, asked: Plan) -> Plan:
    """`plan` for a reply that answers the supervisor's question, its one subtask routed as the
    request the question was about (`asked`: that request planned as typed) when the planner
    could not tell.

    The reply is that request with the record picked ("how long has ALT-1042 been firing?").
    When the planner is unsure of it (too low, too close, or the human label won) and ranks
    the agent that request's words went to first among the agents, or among its alternatives,
    that agent takes it: two readings of one request agree. A reply routed surely keeps its
    route: the request as typed may be all pronouns ("close that one"), which route anywhere.
    """
    if len(plan.subtasks) != 1 or len(asked.subtasks) != 1:
        return plan
    s, a = plan.subtasks[0], asked.subtasks[0]
    if not (_unsettled(s) and (not a.escalate or _unsettled(a))):
        return plan
    agent = _first(a)
    if agent is None or agent not in {s.agent, *(x.agent for x in s.alternatives)}:
        return plan
    ranked = {x.agent: x.score for x in s.alternatives} | {s.agent: s.confidence}
    why = f"it answers the question asked about a request for {agent}"
    return _moved(plan, agent, why, ranked[agent])


def _unsettled(s: Subtask) -> bool:
    """Whether `s` went to a person only because the planner could not tell where it goes."""
    return s.escalate and (s.unsure or s.escalation_kind == "out_of_scope")


def _moved(plan: Plan, agent: str, why: str, confidence: float) -> Plan:
    """`plan` with its one subtask routed to `agent` as sure as `confidence`, for the reason
    `why`."""
    s = plan.subtasks[0]
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
            "rationale": f"{agent}: {why}; the planner alone said: {s.rationale}",
            "alternatives": displaced + [a for a in s.alternatives if a.agent != agent],
        }
    )
    return plan.model_copy(update={"subtasks": [moved]})
