""" "and her other one?" after one of her two tickets was picked: the other of hers, read as
"the other one" is (a possessive before "other" says whose, not a different record)."""

from __future__ import annotations

from ringmaster.graph.references import RecordFacts, resolve
from tests.graph.references_kit import ACTS, KINDS, catalogue, customer, entities, facts, turn

FACTS = facts(
    customer(
        "CUS-1003", "Aisha Khan", "Khan Bakery starter active", ["TCK-1002", "TCK-1091"], "she"
    ),
    RecordFacts("TCK-1002", "CUS-1003", "open charged twice"),
    RecordFacts("TCK-1091", "CUS-1003", "open csv export broken"),
)
LOOKUP, RECORDS = catalogue(FACTS)
HISTORY = [
    turn(1, "any open tickets for CUS-1003?", "TCK-1002 TCK-1091"),
    turn(2, "set TCK-1002 to urgent"),
]


def test_her_other_one_is_her_ticket_not_used() -> None:
    out = resolve("and her other one?", HISTORY, KINDS, LOOKUP, ACTS, RECORDS)
    assert out.question is None and entities(out) == ["TCK-1091"]
    assert "CUS-1003" not in out.text
