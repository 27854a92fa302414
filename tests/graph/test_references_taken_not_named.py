"""A side effect on a record the user never named is never done on a guess.

"do the same for CUS-1004" after a refund of another customer's invoice: of several of hers, a
likeness to the invoice before (the same month) is no reason to refund one, so the turn asks
which, listing them; her only one is taken, marked as taken and not named (the call then waits
for a person: graph/nodes/validate.py). A reminder repeated for her still reads her invoice
most like the one before. And "that one" after a look at "his other ticket" is either of the
two the user just set side by side: an act on it asks which; a question about it does not."""

from __future__ import annotations

from ringmaster.graph.references import RecordFacts, resolve
from tests.graph.references_kit import ACTS, KINDS, catalogue, customer, entities, facts, turn

FACTS = facts(
    customer("CUS-1002", "Ben Okafor", "Okafor Ltd pro active", owns=("INV-1002", "TCK-1008")),
    customer("CUS-1004", "Sofia Rossi", "Rossi Srl enterprise active",
             owns=("INV-1004", "INV-1051")),
    customer("CUS-1015", "Ana Silva", "Silva Co pro active", owns=("INV-1015", "TCK-1111")),
    customer("CUS-1006", "Ravi Patel", "Patel Labs pro active", owns=("TCK-1140", "TCK-1151")),
    RecordFacts("INV-1002", "CUS-1002", "paid 2025-02 USD February Feb 2025 299"),
    RecordFacts("INV-1004", "CUS-1004", "paid 2025-02 USD February Feb 2025 999"),
    RecordFacts("INV-1051", "CUS-1004", "paid 2025-03 USD March Mar 2025 999"),
    RecordFacts("INV-1015", "CUS-1015", "paid 2025-02 USD February Feb 2025 99"),
    RecordFacts("TCK-1008", "CUS-1002", "Export fails open normal"),
    RecordFacts("TCK-1111", "CUS-1015", "Invite email never arrived open normal"),
    RecordFacts("TCK-1140", "CUS-1006", "Dashboard loads slowly pending normal"),
    RecordFacts("TCK-1151", "CUS-1006", "Cant export pdf open high"),
)  # fmt: skip
LOOKUP, RECORDS = catalogue(FACTS)
REFUND = [turn(1, "Refund invoice INV-1002 in full, the customer was double charged")]


def test_a_refund_repeated_for_someone_with_several_invoices_asks_which_listing_them() -> None:
    out = resolve("do the same for CUS-1004", REFUND, KINDS, LOOKUP, ACTS, RECORDS)
    assert out.question is not None
    assert "INV-1004" in out.question and "INV-1051" in out.question
    assert out.inferred() == {}


def test_their_only_record_is_taken_and_marked_as_not_named() -> None:
    for first, record in ((REFUND[0], "INV-1015"), (turn(1, "close TCK-1008"), "TCK-1111")):
        out = resolve("do the same for CUS-1015", [first], KINDS, LOOKUP, ACTS, RECORDS)
        assert out.question is None and record in out.text
        noun = "invoice" if record.startswith("INV") else "ticket"
        why = f"{record} was taken as CUS-1015's {noun}; it was not named"
        assert out.inferred() == {record: why}
        assert why in out.read_as() and why in out.context()


def test_a_reminder_repeated_for_someone_still_reads_their_record_like_the_one_before() -> None:
    first = turn(1, "send CUS-1002 a reminder for INV-1002")
    out = resolve("do the same for CUS-1004", [first], KINDS, LOOKUP, ACTS, RECORDS)
    assert out.question is None and "INV-1004" in out.text
    assert out.inferred() == {}


HIS_OTHER = [
    turn(1, "open a ticket for CUS-1006: cant export pdf", "TCK-1151"),
    turn(2, "set TCK-1151 to high"),
    {**turn(3, "whats TCK-1140 abt"), "typed": "whats his other tkt abt"},
]


def test_that_one_after_his_other_ticket_is_asked_for_an_act() -> None:
    out = resolve("close that one", HIS_OTHER, KINDS, LOOKUP, ACTS, RECORDS)
    assert out.question is not None
    assert "TCK-1140" in out.question and "TCK-1151" in out.question


def test_that_one_after_his_other_ticket_is_the_other_for_a_question() -> None:
    out = resolve("whos the cust on that one", HIS_OTHER, KINDS, LOOKUP, ACTS, RECORDS)
    assert out.question is None and "TCK-1140" in entities(out)
