"""References in conversations-dev21's voices (a manager's numbered agenda, a hesitant new
hire): a bare "those" is the records the thread named, "the other one" after a turn that named
two and acted on one is the other, and "any open tickets?" after a turn about one customer is
asked of theirs."""

from __future__ import annotations

from typing import Any

from ringmaster.graph.references import RecordFacts, resolve

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
