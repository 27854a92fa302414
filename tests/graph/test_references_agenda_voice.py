"""References in conversations-dev21's voices (a manager's numbered agenda, a hesitant new
hire): a bare "those" is the records the thread named, "the other one" after a turn that named
two and acted on one is the other, and "any open tickets?" after a turn about one customer is
asked of theirs."""

from __future__ import annotations

from typing import Any

from ringmaster.graph.references import RecordFacts, resolve, turn_entities

from .references_kit import ACTS, KINDS, catalogue, customer, entities, turn

FACTS = {
    **{
        c.id: c
        for c in (
            customer("CUS-1010", "Omar Haddad", "Haddad Labs enterprise active",
                     ("TCK-1054", "TCK-1132"), "he"),
            customer("CUS-1017", "Freya Nilsen", "Nilsen AB pro active", ("TCK-1110",), "she"),
            customer("CUS-1027", "Ben Okafor", "Okafor Ltd pro active", ("TCK-1010",), "he"),
        )
    },
    "TCK-1054": RecordFacts("TCK-1054", "CUS-1010", "rate limit closed", done=True),
    "TCK-1132": RecordFacts("TCK-1132", "CUS-1010", "export dashboards pending normal"),
    "TCK-1110": RecordFacts("TCK-1110", "CUS-1017", "Rate limit reached unexpectedly open"),
    "TCK-1010": RecordFacts("TCK-1010", "CUS-1027", "Rate limit reached unexpectedly open"),
}  # fmt: skip
LOOKUP, RECORDS = catalogue(FACTS)


def _resolve(request: str, history: list[dict[str, Any]]) -> Any:
    return resolve(request, history, KINDS, LOOKUP, ACTS, RECORDS)


def test_a_bare_those_is_the_records_the_thread_named() -> None:
    history = [turn(1, "Agenda item 1: what's the state of TCK-1110 and TCK-1010?")]
    for request in (
        "Item 3: who are the customers on those?",
        "close those",
        "set these to urgent please",
    ):
        out = _resolve(request, history)
        assert out.question is None and entities(out) == ["TCK-1110", "TCK-1010"], request
        assert "TCK-1110 and TCK-1010" in out.text, request
    # "one of those" leaves the pick open: still asked, never both.
    out = _resolve("close one of those", history)
    assert out.question is not None and "TCK-1110" in out.question


def _closed_one_of_two(number: int) -> dict[str, Any]:
    """A turn whose request named two tickets ("they're both rate limit ones") and whose one
    subtask closed only the one it asked for, as the runner records it."""
    request = "they're TCK-1110 and TCK-1010 rate limit ones. could you close TCK-1110?"
    closed = {"status": "executed", "args": {"ticket_id": "TCK-1110", "resolution": "fine"}}
    results = {"t1": {"description": request, "actions": [closed]}}
    return {"turn": number, "request": request, "entities": turn_entities(KINDS, request, results)}


def test_the_other_one_after_a_turn_that_named_two_and_acted_on_one_is_the_other() -> None:
    last = _closed_one_of_two(2)
    history = [turn(1, "is TCK-1110 or TCK-1010 the rate limit one?"), last]
    out = _resolve("and the other one, could you add a note that we're still looking?", history)
    assert out.question is None and entities(out) == ["TCK-1010"]
    assert out.text.startswith("and TCK-1010, could you add a note")
    # The subtask's words named both, so both count as acted on; its call took one.
    assert [e for _, e in last["entities"]["acted"]] == ["TCK-1110", "TCK-1010"]
    assert [e for _, e in last["entities"].get("called", [])] == ["TCK-1110"]


def test_any_open_tickets_after_a_turn_about_one_customer_is_asked_of_theirs() -> None:
    for first in ("what plan is CUS-1010 on?", "Todo for Omar Haddad's account: what plan?"):
        out = _resolve("(b) any open tickets?", [turn(1, first)])
        assert out.question is None and entities(out) == ["CUS-1010"], first
        assert out.text == "(b) any open tickets for CUS-1010?", first
    # About two customers, or a customer named in the request: nothing left out to fill in.
    two = [turn(1, "what plans are CUS-1017 and CUS-1027 on?")]
    assert entities(_resolve("any open tickets?", two)) == []
    out = _resolve("any open tickets for CUS-1017?", [turn(1, "what plan is CUS-1010 on?")])
    assert "CUS-1010" not in out.text
    # He owns no invoice: nothing says "invoices" are his, so the question stays as asked.
    out = _resolve("any unpaid invoices?", [turn(1, "what plan is CUS-1010 on?")])
    assert out.text == "any unpaid invoices?" and entities(out) == []
