""" "no wait wrong one, meant INV-1212" right after "send them a reminder", whose "them" was
read as the owner of INV-1213: the reminder again, for INV-1212's owner, not the question
further back that named INV-1213 ("whose is INV-1213")."""

from __future__ import annotations

from ringmaster.graph.references import RecordFacts, resolve
from tests.graph.references_kit import ACTS, KINDS, catalogue, turn

FACTS = {
    "INV-1212": RecordFacts("INV-1212", "CUS-1026", "unpaid 2025-06 USD June Jun 2025"),
    "INV-1213": RecordFacts("INV-1213", "CUS-1027", "unpaid 2025-06 USD June Jun 2025"),
    "CUS-1026": RecordFacts("CUS-1026", None, "Leo Brandt", owns=("INV-1212",)),
    "CUS-1027": RecordFacts("CUS-1027", None, "Priya Nakamura", owns=("INV-1213",)),
}
LOOKUP, RECORDS = catalogue(FACTS)


def _history(typed: str) -> list[dict[str, object]]:
    sent = {**turn(3, "send CUS-1027 a reminder"), "typed": typed}
    return [turn(1, "INV-1213 paid?"), turn(2, "whose is INV-1213"), sent]


def test_a_correction_of_a_record_read_through_its_owner_redoes_the_last_turn() -> None:
    history = _history("send them a reminder")
    out = resolve("no wait wrong one, meant INV-1212", history, KINDS, LOOKUP, ACTS, RECORDS)
    assert out.question is None and out.text == "send CUS-1026 a reminder (INV-1212)"
    # The record meant stands in the turn: "whose is that" next is INV-1212, not INV-1213.
    after = [*history, turn(4, out.text)]
    out = resolve("whose is that", after, KINDS, LOOKUP, ACTS, RECORDS)
    assert [r.entity for r in out.resolutions] == ["INV-1212"]


def test_a_person_the_user_typed_is_not_taken_back() -> None:
    # They named CUS-1027 themselves: the correction is of the record, asked again as before.
    history = _history("send CUS-1027 a reminder")
    out = resolve("no wait wrong one, meant INV-1212", history, KINDS, LOOKUP, ACTS, RECORDS)
    assert out.text == "whose is INV-1212"


def test_a_correction_of_the_record_a_question_of_its_person_came_through_asks_it_again() -> None:
    # "what plan is that customer on?" read "that customer" through INV-1213: "sorry, I meant
    # INV-1212" asks it of INV-1212's customer, without the invoice beside it to be answered.
    asked = {**turn(2, "what plan is CUS-1027 on?"), "typed": "what plan is that customer on?"}
    history = [turn(1, "refund INV-1213 in full"), asked]
    out = resolve("sorry, I meant INV-1212", history, KINDS, LOOKUP, ACTS, RECORDS)
    assert out.question is None and out.text == "what plan is CUS-1026 on?"
    assert {r.entity for r in out.resolutions} == {"INV-1212", "CUS-1026"}
