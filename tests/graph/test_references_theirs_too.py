""" "maria's too" after a reminder was sent to Aisha for her June invoice: Maria's June
invoice, sent to Maria — never Aisha's invoice sent to Maria; asked when two of hers fit."""

from __future__ import annotations

from ringmaster.graph.references import RecordFacts, resolve
from tests.graph.references_kit import ACTS, KINDS, catalogue, entities, turn

FACTS = {
    "CUS-1001": RecordFacts(
        "CUS-1001", None, "Maria Lopez Lopez Design Studio pro active",
        owns=("INV-1142", "INV-1189"), title="Maria Lopez", pronouns="she",
    ),
    "CUS-1003": RecordFacts(
        "CUS-1003", None, "Aisha Khan Khan Bakery starter active",
        owns=("INV-1144", "INV-1191"), title="Aisha Khan", pronouns="she",
    ),
    "INV-1142": RecordFacts("INV-1142", "CUS-1001", "paid 2025-05 USD May 2025 99"),
    "INV-1189": RecordFacts("INV-1189", "CUS-1001", "unpaid 2025-06 USD June Jun 2025 99"),
    "INV-1144": RecordFacts("INV-1144", "CUS-1003", "paid 2025-05 USD May 2025 29"),
    "INV-1191": RecordFacts("INV-1191", "CUS-1003", "unpaid 2025-06 USD June Jun 2025 29"),
    "CUS-1009": RecordFacts(
        "CUS-1009", None, "Emma Dubois Dubois SARL pro active", owns=("INV-1201", "INV-1202")
    ),
    "INV-1201": RecordFacts("INV-1201", "CUS-1009", "unpaid 2025-04 USD April Apr 2025 50"),
    "INV-1202": RecordFacts("INV-1202", "CUS-1009", "unpaid 2025-03 USD March Mar 2025 50"),
}  # fmt: skip
LOOKUP, RECORDS = catalogue(FACTS)
HISTORY = [
    turn(1, "CUS-1001 and CUS-1003 - june invs paid?", "INV-1189 INV-1191"),
    turn(2, "send CUS-1003 a reminder for INV-1191"),
]


def test_her_record_too_is_her_own_of_the_same_kind() -> None:
    out = resolve("CUS-1001's too", HISTORY, KINDS, LOOKUP, ACTS, RECORDS)
    assert out.question is None
    assert out.text == "send CUS-1001 a reminder for INV-1189"
    assert "INV-1189" in entities(out)
    # Without "'s" too: Aisha's invoice is never sent to Maria.
    for said in ("CUS-1001 too", "do the same for CUS-1001"):
        out = resolve(said, HISTORY, KINDS, LOOKUP, ACTS, RECORDS)
        assert out.question is None
        assert out.text == "send CUS-1001 a reminder for INV-1189"
        assert "INV-1189" in entities(out)


def test_those_two_after_a_repeat_for_another_person_are_the_two_people() -> None:
    # The repeat typed only Maria; her invoice was read in for her, so "those two" next are
    # the two people the user named one a turn, not the two invoices.
    first = turn(1, "send CUS-1003 a reminder for INV-1191")
    again = resolve("do the same for CUS-1001", [first], KINDS, LOOKUP, ACTS, RECORDS)
    second = {**turn(2, again.text), "typed": "do the same for CUS-1001"}
    out = resolve(
        "how much do those two still owe us?", [first, second], KINDS, LOOKUP, ACTS, RECORDS
    )
    assert out.question is None
    assert sorted(entities(out)) == ["CUS-1001", "CUS-1003"]
    # Two invoices the user typed one a turn are still "those two".
    typed = [first, turn(2, "send CUS-1001 a reminder for INV-1189")]
    out = resolve("how much is left on those two?", typed, KINDS, LOOKUP, ACTS, RECORDS)
    assert sorted(entities(out)) == ["INV-1189", "INV-1191"]


def test_two_of_hers_that_fit_alike_are_asked() -> None:
    out = resolve("CUS-1009's too", HISTORY, KINDS, LOOKUP, ACTS, RECORDS)
    assert out.question is not None and "INV-1201" in out.question and "INV-1202" in out.question


def test_her_name_with_too_stands_for_her_record() -> None:
    # "maria's" became her record, as in "maria's invoice": she is not resolved besides it.
    out = resolve("maria's too", HISTORY, KINDS, LOOKUP, ACTS, RECORDS)
    assert out.question is None and out.text == "send CUS-1001 a reminder for INV-1189"
    assert entities(out) == ["INV-1189"]
