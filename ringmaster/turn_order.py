"""Which earlier reviews a new turn must wait for: none, unless it is about their work.

A turn on a thread with pending reviews runs at once when its request is independent of them;
it waits (its run job held, ringmaster/run_queue.py) when it refers to what a pending review
is about:

- a record the reviewed subtask works on — its description or its proposed actions' arguments
  name it — named in the request or resolved from the thread ("that invoice" → INV-1002, by
  graph/references/, against the same history the turn's plan node will see);
- the pending action itself: "that refund", "the refund", "this rollback" while an
  `issue_refund` or `rollback_deployment` waits for a person.

A question the supervisor asked ("Which invoice do you mean: …?") is never waited for: the
new turn may be its answer. Records merely related to a reviewed one are not its work: the
plan of the customer whose invoice waits for a refund can be looked up while the refund waits.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from ringmaster.graph.references import (
    Act,
    EntityKind,
    Lookup,
    asks,
    entity_ids,
    reads_only,
    resolve,
)
from ringmaster.review_queue import ReviewItem

# "that refund", "the rollback", "this credit": a definite reference to an action by its noun.
_DEFINITE = r"\b(?:that|the|this|those|these)\s+(?:[\w-]+\s+){{0,2}}?{noun}s?\b"


@dataclass(frozen=True)
class Blocker:
    """A pending review a turn waits for, and why."""

    item_id: str
    turn: int
    summary: str
    reason: str

    def to_dict(self) -> dict[str, Any]:
        return {
            "review_id": self.item_id,
            "turn": self.turn,
            "summary": self.summary,
            "reason": self.reason,
        }


def reviewed_records(kinds: Sequence[EntityKind], item: ReviewItem) -> list[str]:
    """The records a review is about: its subtask's description and its actions' arguments."""
    payload = item.payload or {}
    subtask = (payload.get("context") or {}).get("subtask") or {}
    args = [a.get("args") for a in payload.get("action_requests") or []]
    text = f"{subtask.get('description') or ''} {json.dumps(args, default=str)}"
    return [entity for _, entity in entity_ids(kinds, text)]


def action_nouns(item: ReviewItem) -> list[str]:
    """What a person calls a review's actions: the last word of each tool's name
    (`issue_refund` → refund), release of an answer excepted."""
    names = [a.get("name") for a in (item.payload or {}).get("action_requests") or []]
    nouns = {str(n).rsplit("_", 1)[-1].lower() for n in names if n and "_" in str(n)}
    return sorted(n for n in nouns if len(n) > 2 and n != "answer")


def blockers(
    request: str,
    history: Sequence[dict[str, Any]],
    kinds: Sequence[EntityKind],
    lookup: Lookup | None,
    pending: Sequence[ReviewItem],
    acts: Sequence[Act] = (),
) -> list[Blocker]:
    """The pending reviews (of earlier turns) that `request` depends on, each with why.

    `acts` are the plan node's (`team_acts`): the references are read as the turn will read
    them ("close it" after an invoice closes the thread's ticket), so the record a held turn
    is said to wait for is the one it acts on."""
    if not pending:
        return []
    resolved = resolve(request, history, kinds, lookup, acts)
    mine = {entity for _, entity in entity_ids(kinds, resolved.text)}
    # A real record typed that may be a slip for one in play is only asked about ("Did you
    # mean …?"): the turn is about the record typed, never held for the one guessed.
    read = [r for r in resolved.resolutions if r.guessed != "near id"]
    mine |= {r.entity for r in read}
    # "INV-101" mended to INV-1001: said as the reading it is, not as what the request named.
    readings = {r.entity: f"{r.entity} ({r.phrase} read as {r.entity})" for r in read if r.guessed}
    people = {k.name for k in kinds if k.person}
    reading = reads_only(resolved.text, history, kinds, lookup, acts)
    found = []
    for item in pending:
        subtask = ((item.payload or {}).get("context") or {}).get("subtask") or {}
        if asks(str(subtask.get("description") or "")):
            continue  # the supervisor's question: the new turn may be its answer
        shared = [e for e in dict.fromkeys(reviewed_records(kinds, item)) if e in mine]
        if (
            shared
            and reading
            and _of_people(shared, kinds, people)
            and not _says_action(request, item)
        ):
            shared = []  # a read of a person's other business: no part of the review's work
        if shared:
            about = ", ".join(readings.get(e, e) for e in shared)
            reason = f"it is about {about}, which review {item.id[:10]} is about"
        else:
            noun = next(
                (
                    n
                    for n in action_nouns(item)
                    if re.search(_DEFINITE.format(noun=re.escape(n)), request, re.I)
                ),
                None,
            )
            if noun is None:
                continue
            reason = f"it refers to the {noun} that review {item.id[:10]} is deciding"
        found.append(Blocker(item.id, item.turn, item.summary, reason))
    return found


def _of_people(records: Sequence[str], kinds: Sequence[EntityKind], people: set[str]) -> bool:
    """True when every one of `records` is a person's record (a customer), not a record an
    action changes the state of (an invoice, a ticket)."""
    return all(k in people for k, _ in entity_ids(kinds, " ".join(records)))


def _says_action(request: str, item: ReviewItem) -> bool:
    """True when `request` speaks of the review's action in any form: "the credit", "credited",
    "refunds"; a word that only begins with its noun is another word ("database" is no form
    of "data")."""
    return any(
        re.search(rf"\b{re.escape(n)}(?:e?s|e?d|ing)?\b", request, re.I) for n in action_nouns(item)
    )
