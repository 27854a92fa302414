"""A side effect on a record the user never named is never done on a guess.

"do the same for CUS-1004" after a refund of another customer's invoice: of several of hers, a
likeness to the invoice before (the same month) is no reason to refund one, so the turn asks
which, listing them; her only one is taken, marked as taken and not named (the call then waits
for a person: graph/nodes/validate.py). A reminder repeated for her still reads her invoice
most like the one before. And "that one" after a look at "his other ticket" is either of the
two the user just set side by side: an act on it asks which; a question about it does not."""

from __future__ import annotations

from ringmaster.graph.references import RecordFacts
from tests.graph.references_kit import asked_turn, customer, entities, resolver, turn

RESOLVE = resolver(
    customer("CUS-1002", "Ben Okafor", "Okafor Ltd pro active", owns=("INV-1002", "TCK-1008")),
    customer("CUS-1004", "Sofia Rossi", "Rossi Srl enterprise active",
             owns=("INV-1004", "INV-1051")),
    customer("CUS-1015", "Ana Silva", "Silva Co pro active", owns=("INV-1015", "TCK-1111")),
    customer("CUS-1006", "Ravi Patel", "Patel Labs pro active", owns=("TCK-1140", "TCK-1151")),
    customer("CUS-1044", "Felix Eriksen", "Eriksen AB pro active",
             owns=("TCK-1095", "TCK-1121", "TCK-1127")),
    customer("CUS-1045", "Lucas Novak", "Novak sro pro active", owns=("TCK-1056", "TCK-1060")),
    customer("CUS-1020", "Mia Berg", "Berg AS pro active", owns=("INV-1020", "INV-1067")),
    customer("CUS-1021", "Omar Haddad", "Haddad GmbH pro active", owns=("INV-1021", "TCK-1070")),
    RecordFacts("INV-1002", "CUS-1002", "paid 2025-02 USD February Feb 2025 299"),
    RecordFacts("INV-1004", "CUS-1004", "paid 2025-02 USD February Feb 2025 999"),
    RecordFacts("INV-1051", "CUS-1004", "paid 2025-03 USD March Mar 2025 999"),
    RecordFacts("INV-1015", "CUS-1015", "paid 2025-02 USD February Feb 2025 99"),
    RecordFacts("INV-1020", "CUS-1020", "refunded 2025-02 USD February Feb 2025 99"),
    RecordFacts("INV-1067", "CUS-1020", "paid 2025-03 USD March Mar 2025 99"),
    RecordFacts("TCK-1008", "CUS-1002", "Export fails open normal"),
    RecordFacts("TCK-1111", "CUS-1015", "Invite email never arrived open normal"),
    RecordFacts("TCK-1140", "CUS-1006", "Dashboard loads slowly pending normal"),
    RecordFacts("TCK-1151", "CUS-1006", "Cant export pdf open high"),
    RecordFacts("TCK-1095", "CUS-1044", "Cannot log in closed normal"),
    RecordFacts("TCK-1121", "CUS-1044", "Charged twice open normal"),
    RecordFacts("TCK-1127", "CUS-1044", "Slow dashboard closed low"),
    RecordFacts("TCK-1056", "CUS-1045", "Charged twice open normal"),
    RecordFacts("TCK-1060", "CUS-1045", "Export fails closed low"),
    RecordFacts("TCK-1070", "CUS-1021", "Login loop closed normal", done=True),
    RecordFacts("INV-1021", "CUS-1021", "refunded 2025-02 USD February Feb 2025 99"),
    customer("CUS-1008", "Noah Schmidt", "Schmidt KG pro suspended",
             owns=("INV-1008", "INV-1055", "INV-1102")),
    customer("CUS-1033", "Ida Lund", "Lund AB pro suspended", owns=("INV-1033",)),
    RecordFacts("INV-1008", "CUS-1008", "paid 2025-02 USD February Feb 2025 99"),
    RecordFacts("INV-1055", "CUS-1008", "paid 2025-03 USD March Mar 2025 99"),
    RecordFacts("INV-1102", "CUS-1008", "unpaid 2025-04 USD April Apr 2025 99",
                cannot=(("refund", "has not been paid"),)),
    RecordFacts("INV-1033", "CUS-1033", "unpaid 2025-02 USD February Feb 2025 99",
                cannot=(("refund", "has not been paid"),)),
)  # fmt: skip
REFUND = [turn(1, "Refund invoice INV-1002 in full, the customer was double charged")]


def test_a_refund_repeated_for_someone_with_several_invoices_asks_which_listing_them() -> None:
    out = RESOLVE("do the same for CUS-1004", REFUND)
    assert out.question is not None
    assert "INV-1004" in out.question and "INV-1051" in out.question
    assert out.inferred() == {}


def test_their_only_record_is_taken_and_marked_as_not_named() -> None:
    for first, record in ((REFUND[0], "INV-1015"), (turn(1, "close TCK-1008"), "TCK-1111")):
        out = RESOLVE("do the same for CUS-1015", [first])
        assert out.question is None and record in out.text
        noun = "invoice" if record.startswith("INV") else "ticket"
        why = f"{record} was taken as CUS-1015's {noun}; it was not named"
        assert out.inferred() == {record: why}
        assert why in out.read_as() and why in out.context()


def test_a_reminder_repeated_for_someone_still_reads_their_record_like_the_one_before() -> None:
    first = turn(1, "send CUS-1002 a reminder for INV-1002")
    out = RESOLVE("do the same for CUS-1004", [first])
    assert out.question is None and "INV-1004" in out.text
    assert out.inferred() == {}


HIS_OTHER = [
    turn(1, "open a ticket for CUS-1006: cant export pdf", "TCK-1151"),
    turn(2, "set TCK-1151 to high"),
    {**turn(3, "whats TCK-1140 abt"), "typed": "whats his other tkt abt"},
]


def test_that_one_after_his_other_ticket_is_asked_for_an_act() -> None:
    out = RESOLVE("close that one", HIS_OTHER)
    assert out.question is not None
    assert "TCK-1140" in out.question and "TCK-1151" in out.question


def test_that_one_after_his_other_ticket_is_the_other_for_a_question() -> None:
    out = RESOLVE("whos the cust on that one", HIS_OTHER)
    assert out.question is None and "TCK-1140" in entities(out)


def test_of_several_theirs_the_one_the_thread_offered_is_taken_still_marked() -> None:
    # "lucas's" picked TCK-1056 of the two offered; "felix's too" is the other one offered,
    # which the user saw as his, not one of his picked for them.
    offered = [("ticket", "TCK-1056"), ("ticket", "TCK-1121")]
    asked = asked_turn(1, "now close the charged twice ticket", offered)
    asked["entities"]["touched"] = [list(o) for o in offered]  # as its question listed them
    history = [asked, {**turn(2, "now close TCK-1056"), "typed": "lucas's"}]
    out = RESOLVE("CUS-1044's too", history)
    assert out.question is None and "TCK-1121" in out.text
    assert set(out.inferred()) == {"TCK-1121"}


def test_them_after_the_customer_on_the_other_one_is_that_customer() -> None:
    history = [
        turn(1, "TCK-1140 and TCK-1111 both still open. any update on either?"),
        turn(2, "TCK-1140 - add a note that ops is on it"),
        {**turn(3, "who's the customer on TCK-1111", "CUS-1015"),
         "typed": "who's the customer on the other one"},
    ]  # fmt: skip
    out = RESOLVE("email them that we're on it", history)
    assert out.question is None and entities(out) == ["CUS-1015"]


def test_a_field_change_repeated_for_someone_is_a_side_effect_on_a_record_never_named() -> None:
    # "set TCK-1008 to high" changes the ticket as much as "close TCK-1008" does: for CUS-1006's
    # two open tickets it asks which; CUS-1015's only one is taken, marked as not named.
    change = [turn(1, "set TCK-1008 to high")]
    out = RESOLVE("do the same for CUS-1006", change)
    assert out.question is not None
    assert "TCK-1140" in out.question and "TCK-1151" in out.question
    out = RESOLVE("do the same for CUS-1015", change)
    assert out.question is None and "TCK-1111" in out.text
    assert out.inferred() == {
        "TCK-1111": "TCK-1111 was taken as CUS-1015's ticket; it was not named"
    }


def test_the_which_question_lists_only_records_the_act_can_still_be_done_on() -> None:
    # CUS-1044's two closed tickets cannot be closed: the open one is their only candidate.
    close = [turn(1, "close TCK-1008")]
    out = RESOLVE("do the same for CUS-1044", close)
    assert out.question is None and "TCK-1121" in out.text
    assert set(out.inferred()) == {"TCK-1121"}
    # CUS-1020's February invoice is refunded already: the March one is the one left.
    out = RESOLVE("do the same for CUS-1020", REFUND)
    assert out.question is None and "INV-1067" in out.text and "INV-1020" not in out.text
    assert set(out.inferred()) == {"INV-1067"}


def test_an_ellipsis_after_a_repeat_that_asked_repeats_the_request_it_stood_for() -> None:
    # "do the same for CUS-1004" asked which invoice and stayed as typed; "and CUS-1020?" is
    # the refund again, for CUS-1020, not "do the same" with nothing to do.
    history = [*REFUND, turn(2, "do the same for CUS-1004")]
    out = RESOLVE("and CUS-1020?", history)
    assert out.question is None and out.text.lower().startswith("refund invoice INV-1067".lower())
    assert set(out.inferred()) == {"INV-1067"}
    out = RESOLVE("and CUS-1004?", [*REFUND, turn(2, "do the same for CUS-1020")])
    assert out.question is not None
    assert "INV-1004" in out.question and "INV-1051" in out.question


def test_a_repeat_for_someone_none_of_whose_records_it_can_be_done_on_says_so() -> None:
    # CUS-1021's only ticket is closed and only invoice refunded: nothing to pick, so no
    # "Which ticket do you mean?" with no options; the turn says what is true.
    close = [turn(1, "close TCK-1008")]
    out = RESOLVE("do the same for CUS-1021", close)
    assert out.question is None and out.told == (
        "CUS-1021 has no ticket that can be closed (TCK-1070 is closed already); nothing was done"
    )
    assert out.inferred() == {}
    out = RESOLVE("do the same for CUS-1021", REFUND)
    assert out.question is None and out.told == (
        "CUS-1021 has no invoice that can be refunded (INV-1021 is refunded already);"
        " nothing was done"
    )
    # A field change says the ticket is finished: no act word says what was done to it.
    out = RESOLVE("do the same for CUS-1021", [turn(1, "set TCK-1008 to high")])
    assert out.question is None and out.told == (
        "CUS-1021 has no ticket this can be done on (TCK-1070 is finished); nothing was done"
    )


def test_a_refund_repeated_for_someone_offers_only_invoices_with_money_paid() -> None:
    # An invoice nothing was paid on has nothing to refund (issue_refund refuses it): it is
    # no candidate for the refund, and with none paid the turn says so instead of asking.
    out = RESOLVE("do the same for CUS-1008", REFUND)
    assert out.question is not None
    assert "INV-1008" in out.question and "INV-1055" in out.question
    assert "INV-1102" not in out.question
    out = RESOLVE("do the same for CUS-1033", REFUND)
    assert out.question is None and out.told == (
        "CUS-1033 has no invoice that can be refunded (INV-1033 has not been paid);"
        " nothing was done"
    )
