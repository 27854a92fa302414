"""A repeat carries the request the user means: the newest one that fits the new record.

"same for INV-1208" right after "send reminder" (which read its invoice in, naming none) is the
reminder again, not an older question that named an invoice by id; "same for TCK-1005" after
"draft an update to the customer on that ticket" is that draft for the new ticket. "nvm, the
older one" after a reminder for the newer one is the reminder for the older one. And "no, I
meant CUS-1012's" after a question of another customer's invoice takes none of CUS-1012's by
its likeness to the wrong one: of several it asks which; their only one is taken, and said to be
taken, not named."""

from __future__ import annotations

from typing import Any

from tests.graph.references_kit import customer, entities, invoice, resolver, turn

RESOLVE = resolver(
    customer("CUS-1021", "Zoe Jansen", "Jansen BV pro active", owns=("INV-1207", "INV-1208")),
    invoice("INV-1207", "CUS-1021", "unpaid", "2025-05"),
    invoice("INV-1208", "CUS-1021", "unpaid", "2025-06"),
    customer("CUS-1030", "Elif Torres", "Torres Co pro active", owns=("INV-1188", "INV-1235")),
    invoice("INV-1188", "CUS-1030", "unpaid", "2025-03"),
    invoice("INV-1235", "CUS-1030", "unpaid", "2025-06"),
    customer("CUS-1011", "Ann Lee", "Lee Co pro active", owns=("INV-1011",)),
    invoice("INV-1011", "CUS-1011", "unpaid", "2025-02"),
    customer("CUS-1012", "Bo Lin", "Lin Co pro active", owns=("INV-1012", "INV-1090")),
    invoice("INV-1012", "CUS-1012", "paid", "2025-02"),
    invoice("INV-1090", "CUS-1012", "unpaid", "2025-03"),
    customer("CUS-1013", "Cy Park", "Park Co pro active", owns=("INV-1013",)),
    invoice("INV-1013", "CUS-1013", "paid", "2025-04"),
)


def typed(number: int, request: str, as_typed: str) -> dict[str, Any]:
    """A history entry whose request was rewritten from what the user typed."""
    return {**turn(number, request), "typed": as_typed}


def test_same_for_repeats_the_newest_request_not_an_older_one_that_named_the_kind() -> None:
    history = [turn(1, "INV-1207 paid?"), turn(2, "send reminder")]
    out = RESOLVE("same for INV-1208", history)
    assert out.text == "send reminder for INV-1208"
    assert [(r.entity, r.turn) for r in out.resolutions] == [("INV-1208", 2)]


def test_same_for_a_record_the_last_request_referred_to_puts_it_in_that_place() -> None:
    history = [
        turn(1, "add a note on TCK-1148 linking it to INC-1012"),
        typed(2, "draft an update to CUS-1042", "draft an update to the customer on that ticket"),
    ]
    out = RESOLVE("same for TCK-1005", history)
    assert out.text == "draft an update to the customer on TCK-1005"


def test_same_for_after_a_question_of_another_kind_still_repeats_the_older_act() -> None:
    history = [turn(1, "send a reminder for INV-1207"), turn(2, "what plan is CUS-1030 on?")]
    out = RESOLVE("same for INV-1208", history)
    assert out.text == "send a reminder for INV-1208"


def test_never_mind_and_another_record_repeats_the_last_request_on_it() -> None:
    listed = turn(1, "elif torres unpaid invoices?", listed="INV-1188 INV-1235")
    history = [
        listed,
        typed(2, "send a reminder for INV-1235", "send a reminder for the newer one"),
    ]
    for said in ("nvm, the older one", "nvm, INV-1188", "never mind, INV-1188"):
        out = RESOLVE(said, history)
        assert out.text == "send a reminder for INV-1188", said
        assert entities(out) == ["INV-1188"]


def test_a_corrected_person_with_several_records_of_the_kind_is_asked_which() -> None:
    out = RESOLVE("no, I meant CUS-1012's", [turn(1, "is INV-1011 paid?")])
    assert out.question is not None
    assert "INV-1012" in out.question and "INV-1090" in out.question


def test_a_corrected_persons_only_record_is_taken_and_said_to_be_taken() -> None:
    out = RESOLVE("no, I meant CUS-1013's", [turn(1, "is INV-1011 paid?")])
    assert out.question is None and out.text == "is INV-1013 paid?"
    why = "INV-1013 was taken as CUS-1013's invoice; it was not named"
    assert out.inferred() == {"INV-1013": why}


def test_a_first_name_is_the_owner_of_a_record_the_thread_named() -> None:
    # The reminder for INV-1208 brought up its customer, though no answer named her.
    history = [turn(1, "INV-1207 paid?"), turn(2, "send reminder for INV-1208")]
    out = RESOLVE("and whats the total zoe owes", history)
    assert out.text == "and whats the total CUS-1021 owes"
    assert [(r.entity, r.turn) for r in out.resolutions] == [("CUS-1021", 2)]
