"""A reading the resolver guessed (an id mended from a typo, a record picked by a description
that fits others too) never drives a side effect unconfirmed: the turn asks one question that
names the guess, and "yes" (or the id) confirms it. A read-only turn may use the guess, and
says what it read."""

from __future__ import annotations

from decimal import Decimal

from ringmaster.graph.references import RecordFacts, resolve, turn_entities
from ringmaster.graph.references.entities import asking
from tests.graph.references_kit import ACTS, KINDS, entities, turn

FACTS = {
    "INV-1001": RecordFacts(
        "INV-1001", "CUS-1001", "paid 2025-03 usd March Mar 2025", amount=Decimal("99.00")
    ),
    "INV-1010": RecordFacts("INV-1010", "CUS-1002", "unpaid 2025-04 usd April Apr 2025"),
    "TCK-1150": RecordFacts("TCK-1150", "CUS-1013", "app crash on login open high"),
    "TCK-1058": RecordFacts("TCK-1058", "CUS-1001", "2fa codes not arriving open"),
}


def lookup(entity: str) -> RecordFacts | None:
    return FACTS.get(entity)


def asked_turn(number: int, request: str, question: str) -> dict[str, object]:
    """The history entry a question turn leaves, as the graph writes it."""
    results = {"t1": {"description": asking(request, question)}}
    return {"turn": number, "request": request, "entities": turn_entities(KINDS, request, results)}


def test_a_mended_id_is_asked_before_a_side_effect_and_yes_confirms_it() -> None:
    history = [turn(1, "what's the status of INV-1001?")]
    out = resolve("refund INV-101", history, KINDS, lookup, ACTS)
    assert out.question is not None and "INV-1001" in out.question
    assert "99.00" in out.question and "March" in out.question
    assert "yes" in out.question.lower()
    # What was guessed is kept, marked as a guess, for the rationale and the audit trail.
    [guess] = out.resolutions
    assert (guess.phrase, guess.entity, guess.guessed) == ("INV-101", "INV-1001", "typo")

    asked = asked_turn(2, "refund INV-101", out.question)
    for reply in ("yes", "Yes please", "yes, INV-1001", "yep"):
        confirmed = resolve(reply, [*history, asked], KINDS, lookup, ACTS)
        assert confirmed.question is None, reply
        assert confirmed.text == "refund INV-1001" and entities(confirmed) == ["INV-1001"]
        assert confirmed.answers == 2 and not any(r.guessed for r in confirmed.resolutions)


def test_a_mended_id_is_read_without_asking_and_marked_as_read() -> None:
    history = [turn(1, "what's the status of INV-1001?")]
    out = resolve("how much was INV-101 for?", history, KINDS, lookup, ACTS)
    assert out.question is None and out.text == "how much was INV-1001 for?"
    assert [r.guessed for r in out.resolutions] == ["typo"]
    assert out.read_as() == ["INV-101 read as INV-1001"]


def test_a_well_formed_id_with_no_record_is_a_guess_too_but_a_dropped_dash_is_not() -> None:
    history = [turn(1, "Chloe Okafor's app crash, TCK-1150 - who's on it?")]
    out = resolve("move TCK-1510 back to open", history, KINDS, lookup, ACTS)
    assert out.question is not None and "TCK-1150" in out.question
    # "tck1058" is the record typed without its dash: nothing guessed, it acts.
    history = [turn(1, "TCK-1058, the 2FA one - anything new?")]
    out = resolve("close tck1058, codes are arriving now", history, KINDS, lookup, ACTS)
    assert out.question is None and entities(out) == ["TCK-1058"]
    assert not any(r.guessed for r in out.resolutions)


def test_no_to_a_confirmation_with_another_id_runs_on_that_one() -> None:
    history = [turn(1, "what's the status of INV-1001?")]
    out = resolve("refund INV-101", history, KINDS, lookup, ACTS)
    assert out.question is not None
    asked = asked_turn(2, "refund INV-101", out.question)
    other = resolve("no, INV-1010", [*history, asked], KINDS, lookup, ACTS)
    assert other.question is None and "INV-1010" in other.text and "INV-1001" not in other.text


NEAR = {
    **FACTS,
    "TCK-1134": RecordFacts("TCK-1134", "CUS-1033", "request to delete a user pending"),
    "TCK-1143": RecordFacts("TCK-1143", "CUS-1033", "how do i rotate an api key closed"),
    "TCK-1135": RecordFacts("TCK-1135", "CUS-1034", "webhook retries stop open"),
    "CUS-1031": RecordFacts("CUS-1031", words="ben garcia garcia group starter active"),
    "CUS-1032": RecordFacts("CUS-1032", words="olivia garcia garcia partners pro active"),
}


def near(entity: str) -> RecordFacts | None:
    return NEAR.get(entity)


def test_a_real_id_one_slip_from_the_one_in_play_is_asked_before_a_side_effect() -> None:
    history = [turn(1, "TCK-1132 + TCK-1134 - who owns these?")]
    note = "add a note to TCK-1143: legal approved the deletion"
    out = resolve(note, history, KINDS, near, ACTS)
    assert out.question is not None and out.question.startswith("Did you mean TCK-1134")
    assert [(r.phrase, r.entity, r.guessed) for r in out.resolutions] == [
        ("TCK-1143", "TCK-1134", "near id")
    ]
    asked = asked_turn(2, note, out.question)
    confirmed = resolve("yes, TCK-1134", [*history, asked], KINDS, near, ACTS)
    assert confirmed.text == "add a note to TCK-1134: legal approved the deletion"
    # Read-only, it is read as typed; "too", or words that describe it, say it is meant.
    out = resolve("what is TCK-1143 about?", history, KINDS, near, ACTS)
    assert out.question is None and "TCK-1143" in out.text
    out = resolve("close TCK-1143 too", history, KINDS, near, ACTS)
    assert out.question is None
    history = [turn(1, "what plan is Ben Garcia, CUS-1031, on?")]
    out = resolve("give Olivia Garcia, CUS-1032, a $10 credit", history, KINDS, near, ACTS)
    assert out.question is None


def test_a_real_id_one_number_on_from_the_one_in_play_is_taken_as_typed() -> None:
    # The next record of a run worked through ("refund INV-1005 …" after INV-1004), not a slip.
    history = [turn(1, "add a note to TCK-1134: legal approved the deletion")]
    note = "add a note to TCK-1135: legal approved the deletion"
    out = resolve(note, history, KINDS, near, ACTS)
    assert out.question is None and out.text == note and out.resolutions == []


def test_the_former_and_the_latter_are_the_two_records_in_order() -> None:
    history = [turn(1, "Please state the status of invoices INV-1001 and INV-1010.")]
    out = resolve("The latter is to be refunded in full.", history, KINDS, lookup, ACTS)
    assert out.text == "INV-1010 is to be refunded in full." and entities(out) == ["INV-1010"]
    out = resolve("refund the former", history, KINDS, lookup, ACTS)
    assert out.text == "refund INV-1001" and entities(out) == ["INV-1001"]


def test_an_act_word_that_says_what_happened_is_no_act() -> None:
    # "refund was issued" is the reason for closing, not a refund asked for among invoices.
    history = [
        turn(1, "any open tickets for CUS-1034?", "TCK-1056"),
        turn(2, "what invoices does CUS-1034 have?", "INV-1032 INV-1079"),
    ]
    out = resolve("close TCK-1056, refund was issued", history, KINDS, lookup, ACTS)
    assert out.question is None


OWNED = {
    "CUS-1035": RecordFacts(
        "CUS-1035", words="greta yilmaz", owns=("TCK-1022", "TCK-1100", "TCK-1136", "TCK-1138")
    ),
    "TCK-1022": RecordFacts("TCK-1022", "CUS-1035", "change the billing email address open"),
    "TCK-1100": RecordFacts("TCK-1100", "CUS-1035", "password reset link expired", done=True),
    "TCK-1136": RecordFacts("TCK-1136", "CUS-1035", "cannot log in after password reset"),
    "TCK-1138": RecordFacts("TCK-1138", "CUS-1035", "rate limit reached unexpectedly open"),
}


def test_a_record_a_tie_break_picked_is_confirmed_before_a_side_effect() -> None:
    # Two of her tickets are about a password; the one unfinished is picked: a guess.
    history = [turn(1, "what are CUS-1035's tickets about?")]
    out = resolve("close the password one", history, KINDS, OWNED.get, ACTS)
    assert out.question is not None and out.question.startswith("Did you mean TCK-1136")
    assert [(r.entity, r.guessed) for r in out.resolutions] == [("TCK-1136", "description")]
    out = resolve("is the password one still open?", history, KINDS, OWNED.get, ACTS)
    assert out.question is None and out.read_as() == ["the password one read as TCK-1136"]
    # Words that fit one of her tickets alone are no guess.
    out = resolve("close the rate limit one", history, KINDS, OWNED.get, ACTS)
    assert out.question is None and entities(out) == ["TCK-1138"]


def test_it_after_a_record_the_request_names_by_its_noun_is_that_record() -> None:
    # "it" was read as the earlier turn's TCK-1005 beside "their seats ticket" (TCK-1037).
    facts = {
        "CUS-1007": RecordFacts("CUS-1007", words="yuki tanaka", owns=("TCK-1005", "TCK-1037")),
        "TCK-1005": RecordFacts("TCK-1005", "CUS-1007", "api returns 502 errors open urgent"),
        "TCK-1037": RecordFacts("TCK-1037", "CUS-1007", "need to add more seats pending"),
    }
    history = [turn(1, "status of TCK-1005 pls")]
    out = resolve("and their seats ticket - move it to open", history, KINDS, facts.get, ACTS)
    assert "TCK-1005" not in entities(out) and "TCK-1037" in entities(out)
    # "an incident" is a new record, not what "it" stands for.
    history = [turn(1, "check the latest web deployment in production", "DEP-1028")]
    out = resolve("open an incident for it", history, KINDS, facts.get, ACTS)
    assert entities(out) == ["DEP-1028"]


def test_a_bare_no_to_a_confirmation_runs_nothing_closes_it_and_asks_which_was_meant() -> None:
    # "no" fell through to a normal turn: the confirmation stayed pending, and "no" was planned
    # as a request of its own.
    history = [turn(1, "what's the status of INV-1001?")]
    out = resolve("refund INV-101", history, KINDS, lookup, ACTS)
    assert out.question is not None
    asked = asked_turn(2, "refund INV-101", out.question)
    for reply in ("no", "nope", "No thanks", "neither", "no, that's wrong"):
        declined = resolve(reply, [*history, asked], KINDS, lookup, ACTS)
        assert declined.answers == 2, reply  # the confirmation is answered: closed
        assert declined.question is not None, reply  # nothing to run: asked which was meant
        assert "nothing was done" in declined.question and "INV-1001" in declined.question
        assert "Which invoice" in declined.question and "\n" not in declined.question
        assert not declined.resolutions  # no record is read as meant
    # The next turn may name the record meant; "yes" no longer confirms the declined guess.
    again = asked_turn(3, declined.text, declined.question)
    named = resolve("INV-1010", [*history, asked, again], KINDS, lookup, ACTS)
    assert named.question is None and named.text == "refund INV-1010" and named.answers == 3
    yes = resolve("yes", [*history, asked, again], KINDS, lookup, ACTS)
    assert "INV-1001" not in yes.text and yes.answers is None
