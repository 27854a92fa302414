"""A record finished already is not the one a request acts on: "close her charged-twice
ticket" when she has an open and a closed ticket of that subject is the open one, and so is
"the charged-twice one can be closed" after a listing of both. A question, or a request that
does nothing to the record, still reads every record the words fit."""

from __future__ import annotations

from ringmaster.graph.references import RecordFacts, resolve
from tests.graph.references_kit import ACTS, KINDS, catalogue, entities, turn

FACTS = {
    "CUS-1003": RecordFacts(
        "CUS-1003", None, "Aisha Khan Khan Bakery starter active",
        owns=("TCK-1002", "TCK-1055", "TCK-1091"), title="Aisha Khan",
    ),
    "TCK-1002": RecordFacts("TCK-1002", "CUS-1003", "Charged twice this month open high"),
    "TCK-1055": RecordFacts(
        "TCK-1055", "CUS-1003", "Charged twice this month closed high", done=True
    ),
    "TCK-1091": RecordFacts("TCK-1091", "CUS-1003", "Question about my latest invoice pending"),
}  # fmt: skip
LOOKUP, RECORDS = catalogue(FACTS)


def test_closing_her_described_ticket_is_the_open_one_of_two_that_fit() -> None:
    history = [turn(1, "refund INV-1144 for CUS-1003, it was a duplicate charge")]
    out = resolve("and close her charged-twice ticket", history, KINDS, LOOKUP, ACTS, RECORDS)
    assert out.question is None and out.text == "and close TCK-1002"


def test_a_described_one_to_be_closed_is_the_open_one_the_answer_listed() -> None:
    history = [turn(1, "CUS-1003's unresolved tickets, please.", "TCK-1002 TCK-1055 TCK-1091")]
    said = "The charged-twice one can be closed, the refund went out."
    out = resolve(said, history, KINDS, LOOKUP, ACTS, RECORDS)
    assert out.question is None and entities(out) == ["TCK-1002"]


def test_a_question_about_a_described_record_still_reads_both() -> None:
    history = [turn(1, "refund INV-1144 for CUS-1003, it was a duplicate charge")]
    out = resolve("what is her charged-twice ticket about?", history, KINDS, LOOKUP, ACTS, RECORDS)
    assert out.question is not None and "TCK-1055" in out.question


def test_a_change_by_the_value_it_sets_is_made_to_the_open_one_that_fits() -> None:
    # "bump … to high" is none of the team's act words, so both tickets were asked about;
    # a priority or a status is set on a ticket still being worked on, not a closed one.
    history = [turn(1, "why was CUS-1003 billed twice in may?")]
    for said in (
        "pls bump her charged twice ticket to high",
        "Move her charged-twice ticket to urgent",
    ):
        out = resolve(said, history, KINDS, LOOKUP, ACTS, RECORDS)
        assert out.question is None and entities(out) == ["TCK-1002"], said
