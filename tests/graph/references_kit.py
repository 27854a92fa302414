"""What the reference tests share: the demo team's kinds of record and side effects, and a
history entry as the runner records it (the request as resolved, and what its answer listed)."""

from __future__ import annotations

import calendar
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from ringmaster.agents.demo import TEAM_FILE
from ringmaster.agents.spec import load_team
from ringmaster.graph.references import (
    RecordFacts,
    Resolved,
    acts_from_tools,
    kinds_from_team,
    resolve,
    turn_entities,
)

KINDS = kinds_from_team(load_team(TEAM_FILE).entities)

# The demo team's side effects as `team_acts` reads them: (tool, its arguments), and the
# arguments its other tools take (a "note" only `update_ticket` takes says that side effect).
SIDE_EFFECTS = [
    ("update_ticket", ["ticket_id", "status", "priority", "note"]),
    ("close_ticket", ["ticket_id", "resolution"]),
    ("issue_refund", ["invoice_id", "amount", "reason"]),
    ("apply_credit", ["customer_id", "amount", "reason"]),
    ("open_ticket", ["customer_id", "subject", "priority", "body"]),
    ("change_plan", ["customer_id", "plan"]),
    ("rollback_deployment", ["service", "environment", "to_version", "reason"]),
]
READS = ["customer_id", "ticket_id", "invoice_id", "status", "service", "environment"]
ACTS = acts_from_tools(SIDE_EFFECTS, KINDS, READS)


def turn(number: int, request: str, listed: str = "") -> dict[str, Any]:
    """A history entry for `request`, its result listing `listed`."""
    results = {"t1": {"output": {"listed": listed}}} if listed else {}
    return {"turn": number, "request": request, "entities": turn_entities(KINDS, request, results)}


def asked_turn(
    number: int, request: str, options: list[tuple[str, str]], noun: str = ""
) -> dict[str, Any]:
    """A history entry for `request`, which named no record and was asked which of `options`
    ((kind, id) pairs) it meant: "Which `noun` (the first option's kind) do you mean: …?"."""
    ids = " or ".join(e for _, e in options)
    question = {"request": request, "options": [list(o) for o in options],
                "asked": f"Which {noun or options[0][0]} do you mean: {ids}?"}  # fmt: skip
    empty: dict[str, Any] = {"named": [], "touched": [], "together": [], "acted": []}
    return {"turn": number, "request": request, "entities": {**empty, "question": question}}


def entities(out: Resolved) -> list[str]:
    """The records a resolution read the request's references as, in order."""
    return [r.entity for r in out.resolutions]


def customer(
    id_: str, name: str, rest: str, owns: Sequence[str] = (), pronouns: str = ""
) -> RecordFacts:
    """A customer as the demo store describes one: their `name`, then `rest` (company, plan,
    status), the records they own and how they are referred to ("she"; "" when unknown)."""
    return RecordFacts(id_, None, f"{name} {rest}", tuple(owns), title=name, pronouns=pronouns)


def invoice(id_: str, owner: str, status: str, period: str) -> RecordFacts:
    """An invoice of `owner` as the demo store describes one: its status and billing month
    ("2025-06"), with the month's names and year, which make it "the June one"."""
    year, month = period.split("-")
    names = f"{calendar.month_name[int(month)]} {calendar.month_abbr[int(month)]} {year}"
    return RecordFacts(id_, owner, f"{status} {period} usd {names}")


def facts(*records: RecordFacts) -> dict[str, RecordFacts]:
    """`records` by id, as `catalogue` takes them."""
    return {r.id: r for r in records}


def catalogue(
    facts: Mapping[str, RecordFacts],
) -> tuple[Callable[[str], RecordFacts | None], Callable[[str], list[str]]]:
    """The demo store's look-up of one record and listing of a kind's ids, over `facts`."""

    def records(prefix: str) -> list[str]:
        return sorted(e for e in facts if e.startswith(f"{prefix}-"))

    return facts.get, records


Resolver = Callable[[str, Sequence[Mapping[str, Any]]], Resolved]


def resolver(*records: RecordFacts) -> Resolver:
    """`resolve` as the demo team reads a request (its kinds and side effects), over a store
    of `records`: what a test of one thread's records calls with a request and its history."""
    lookup, listing = catalogue(facts(*records))

    def read(request: str, history: Sequence[Mapping[str, Any]]) -> Resolved:
        return resolve(request, history, KINDS, lookup, ACTS, listing)

    return read
