""" "her open tickt", "their open ticket": a record of the person the thread is about, read
as "open" means (not finished, whatever its status is called) and with its noun mistyped,
never the person herself."""

from __future__ import annotations

from ringmaster.graph.references import RecordFacts, resolve
from tests.graph.references_kit import ACTS, KINDS, catalogue, entities, turn

FACTS = {
    "CUS-1010": RecordFacts(
        "CUS-1010", None, "Omar Haddad Haddad Labs enterprise active",
        owns=("TCK-1054", "TCK-1132", "DOC-1022"), title="Omar Haddad", pronouns="he",
    ),
    "TCK-1054": RecordFacts("TCK-1054", "CUS-1010", "rate limit closed", done=True),
    "TCK-1132": RecordFacts("TCK-1132", "CUS-1010", "export dashboards pending normal"),
    "CUS-1037": RecordFacts(
        "CUS-1037", None, "Greta Fischer Fischer GmbH pro active",
        owns=("TCK-1120", "TCK-1144", "INV-1129"), title="Greta Fischer", pronouns="she",
    ),
    "TCK-1120": RecordFacts("TCK-1120", "CUS-1037", "rate limit closed", done=True),
    "TCK-1144": RecordFacts("TCK-1144", "CUS-1037", "dashboard loads slowly open"),
    "INV-1129": RecordFacts("INV-1129", "CUS-1037", "unpaid April Apr 2025"),
}  # fmt: skip
LOOKUP, RECORDS = catalogue(FACTS)


def test_their_open_ticket_is_the_one_not_finished() -> None:
    # TCK-1132 is pending: open, though its status says otherwise; TCK-1054 is closed.
    history = [turn(1, "what does CUS-1010's enterprise agreement say about uptime?")]
    out = resolve("and their open ticket?", history, KINDS, LOOKUP, ACTS, RECORDS)
    assert out.question is None and entities(out) == ["TCK-1132"]
    assert "TCK-1132" in out.text and "CUS-1010" not in out.text


def test_her_open_ticket_typed_wrong_is_her_ticket() -> None:
    history = [turn(1, "CUS-1037 - anything owed?", "INV-1129")]
    out = resolve("and her open tickt, whats that about", history, KINDS, LOOKUP, ACTS, RECORDS)
    assert out.question is None and entities(out) == ["TCK-1144"]


def test_open_tells_apart_no_records_that_are_never_finished() -> None:
    # Invoices are paid, never closed: "her open invoice" picks none of hers by "open".
    facts = {
        **FACTS,
        "CUS-1037": RecordFacts(
            "CUS-1037", None, "Greta Fischer", owns=("INV-1129", "INV-1223"), pronouns="she"
        ),
        "INV-1223": RecordFacts("INV-1223", "CUS-1037", "paid 2025-06 USD June Jun 2025"),
    }
    lookup, records = catalogue(facts)
    history = [turn(1, "who is CUS-1037?")]
    out = resolve("what is on her open invoice?", history, KINDS, lookup, ACTS, records)
    assert out.question is None and "INV-" not in out.text
