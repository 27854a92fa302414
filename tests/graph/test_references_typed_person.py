"""A person's record by a pronoun, when the request itself types that person's full name
(conversations-dev24 and dev25, half A): "Ask Hana Ito to pay her March invoice" is Hana's
March invoice, whoever the thread talked about before."""

from __future__ import annotations

from ringmaster.graph.references import resolve

from .references_kit import (
    ACTS,
    KINDS,
    asked_turn,
    catalogue,
    customer,
    entities,
    facts,
    invoice,
    turn,
)

PEOPLE = facts(
    customer("CUS-1040", "Hana Ito", "Ito Studio pro active", ["INV-1300", "INV-1301"], "she"),
    customer("CUS-1041", "Lena Park", "Park Labs starter active", ["INV-1310", "INV-1311"], "she"),
    customer("CUS-1042", "Ravi Shah", "Shah Foods business active", ["INV-1320"], "he"),
    invoice("INV-1300", "CUS-1040", "unpaid", "2025-03"),
    invoice("INV-1301", "CUS-1040", "paid", "2025-04"),
    invoice("INV-1310", "CUS-1041", "unpaid", "2025-03"),
    invoice("INV-1311", "CUS-1041", "unpaid", "2025-04"),
    invoice("INV-1320", "CUS-1042", "unpaid", "2025-03"),
)


def _resolve(request: str, history: list[dict[str, object]]) -> object:
    lookup, records = catalogue(PEOPLE)
    return resolve(request, history, KINDS, lookup, ACTS, records)


def test_her_record_is_the_person_typed_in_full_not_the_one_before() -> None:
    # "her" was read as the woman of the turn before (Lena), so the reminder named Lena's
    # March invoice, or, with no one before, nothing at all.
    before = [turn(1, "Draft a payment reminder to CUS-1041 for INV-1310.")]
    for history in (before, [turn(1, "how much did we bill in march?")]):
        out = _resolve("and one to Hana Ito about her march invoice as well", history)
        assert out.question is None
        assert entities(out) == ["INV-1300"], out.text
        assert "Hana Ito" in out.text and "CUS-1040" not in out.text


def test_several_of_the_typed_persons_records_fitting_are_asked() -> None:
    out = _resolve("Chase Lena Park about her unpaid invoice.", [turn(1, "hi")])
    assert out.question is not None and "INV-1310" in out.question and "INV-1311" in out.question


def test_a_pronoun_that_cannot_be_the_typed_person_reads_as_before() -> None:
    # "her" beside Ravi Shah (a "he") is not his: the woman the thread is about.
    history = [turn(1, "Look up CUS-1041.", "CUS-1041")]
    out = _resolve("Tell Ravi Shah that her april invoice is overdue.", history)
    assert entities(out) == ["INV-1311"], out.text


def test_a_change_of_its_own_is_no_reply_to_a_question_about_a_message() -> None:
    # "Move Hana Ito to business" shared Hana's name with an option, so it was read as the
    # answer: the pricing note went to Hana and no plan was changed.
    options = [("customer", "CUS-1040"), ("customer", "CUS-1041"), ("customer", "CUS-1042")]
    history = [asked_turn(1, "Send a note to each of them about the new pricing.", options)]
    for said in ("Move Hana Ito to business.", "switch lena park to the pro plan"):
        out = _resolve(said, history)
        assert out.answers is None and "pricing" not in out.text, said
    # A reply that only picks one is still the answer.
    out = _resolve("Hana Ito", history)
    assert out.answers == 1 and "pricing" in out.text
