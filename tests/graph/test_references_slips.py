"""Follow-ups typed with a slip: an id mistyped ("INV-102"), a verb split around its object
("roll it back"), a plural the resolver did not know ("the pair of them"), and "it" that is
the work just done ("let him know it's done")."""

from __future__ import annotations

from ringmaster.graph.references import (
    RecordFacts,
    resolve,
    turn_entities,
)
from ringmaster.graph.references.mistyped import one_slip
from tests.graph.references_kit import ACTS, KINDS, entities, turn

# Records the demo database holds (TCK-1510 is none of them).
REAL = {"INV-1002", "INV-1188", "INV-1189", "TCK-1058", "TCK-1150", "TCK-1001", "CUS-1008"}


def lookup(entity: str) -> RecordFacts | None:
    return RecordFacts(entity) if entity in REAL else None


def test_one_slip_is_one_digit_left_out_added_changed_or_two_swapped() -> None:
    assert one_slip("102", "1002") and one_slip("10022", "1002")
    assert one_slip("1003", "1002") and one_slip("1510", "1150")
    assert not one_slip("1002", "1002")  # the same id is no slip
    assert not one_slip("12", "1002") and not one_slip("2001", "1002")


def test_an_id_one_slip_from_one_record_in_play_is_that_record() -> None:
    history = [turn(1, "Can you check INV-1002 for James Chen?")]
    out = resolve("is INV-102 paid?", history, KINDS, lookup, ACTS)
    assert out.question is None and out.text == "is INV-1002 paid?"
    assert entities(out) == ["INV-1002"] and out.resolutions[0].phrase == "INV-102"
    # Read so, a refund is a guess acted on: it is asked (test_references_guesses).
    out = resolve("refund INV-102 in full then", history, KINDS, lookup, ACTS)
    assert out.question is not None and entities(out) == ["INV-1002"]
    # A well-formed id the lookup knows no record for, digits swapped: the one in play.
    history = [turn(1, "Chloe Okafor's app crash, TCK-1150 - who's on it?")]
    out = resolve("what's the status of TCK-1510?", history, KINDS, lookup, ACTS)
    assert out.text == "what's the status of TCK-1150?" and entities(out) == ["TCK-1150"]
    # Typed without its dash: the record itself.
    history = [turn(1, "TCK-1058, the 2FA one - anything new?")]
    out = resolve("close tck1058, codes are arriving now", history, KINDS, lookup, ACTS)
    assert out.text.startswith("close TCK-1058,") and entities(out) == ["TCK-1058"]


def test_an_id_is_taken_as_typed_when_it_is_a_record_or_nothing_in_play_is_near() -> None:
    history = [turn(1, "Can you check INV-1002 for James Chen?")]
    # INV-1189 is a real record one slip from nothing here: as typed, nothing resolved.
    out = resolve("and INV-1189?", history, KINDS, lookup, ACTS)
    assert "INV-1189" in out.text and "INV-1002" not in entities(out)
    # No lookup to say TCK-1510 is no record: a well-formed id is always as typed.
    history = [turn(1, "what's TCK-1150 about")]
    out = resolve("move TCK-1510 back to open", history, KINDS, None, ACTS)
    assert out.text == "move TCK-1510 back to open" and out.resolutions == []
    # A mistyped id near no record of the thread is left for the skill to report.
    out = resolve("refund INV-77 please", history, KINDS, lookup, ACTS)
    assert out.question is None and out.resolutions == []


def test_an_id_one_slip_from_two_records_in_play_is_asked_and_the_reply_puts_the_pick() -> None:
    history = [turn(1, "Could you pull INV-1188 and INV-1189 for me, please")]
    out = resolve("send a payment reminder for INV-118", history, KINDS, lookup, ACTS)
    assert out.question is not None and out.resolutions == []
    assert "INV-1188" in out.question and "INV-1189" in out.question
    # The question as the graph leaves it in the history, then the reply that picks one.
    asked = {
        "turn": 2,
        "request": "send a payment reminder for INV-118",
        "entities": turn_entities(
            KINDS,
            "send a payment reminder for INV-118",
            {"t1": {"description": f"send a payment reminder for INV-118 ({out.question})"}},
        ),
    }
    reply = resolve("INV-1188", [*history, asked], KINDS, lookup, ACTS)
    assert reply.text == "send a payment reminder for INV-1188"
    assert entities(reply) == ["INV-1188"] and reply.answers == 2


def test_roll_it_back_never_rolls_back_what_is_not_a_deployment() -> None:
    # "it" would be the incident or the alert an answer listed: the team rolls back
    # deployments, so it asks for one instead of acting.
    history = [turn(1, "what went out to staging on June 10?", "INC-1012 ALT-1043")]
    for request in ("roll it back", "roll that one back", "ok roll it back now"):
        out = resolve(request, history, KINDS, lookup, ACTS)
        assert out.question is not None and out.resolutions == [], request
        assert "deployment" in out.question, request
    # One incident named, one deployment beside it: "it" is the deployment.
    history = [turn(1, "is INC-1012 from DEP-1032?"), turn(2, "what's INC-1012 about")]
    out = resolve("roll it back", history, KINDS, lookup, ACTS)
    assert out.text == "roll DEP-1032 back" and entities(out) == ["DEP-1032"]


def test_it_that_is_the_work_just_done_is_no_record() -> None:
    history = [turn(1, "refund INV-1002 in full, he was charged twice")]
    out = resolve("let him know it's done", history, KINDS, lookup, ACTS)
    assert "INV-1002" not in entities(out)
    out = resolve("is it paid?", history, KINDS, lookup, ACTS)
    assert entities(out) == ["INV-1002"]


def test_the_pair_of_them_and_all_of_them_beside_a_person() -> None:
    history = [turn(1, "Maria Lopez says TCK-1001 still isn't fixed"), turn(2, "TCK-1058?")]
    out = resolve("set the pair of them to urgent", history, KINDS, lookup, ACTS)
    assert out.text == "set TCK-1001 and TCK-1058 to urgent"
    assert entities(out) == ["TCK-1001", "TCK-1058"]
    # "him" is the customer; "all of them" the invoices the answer listed, not him again.
    history = [turn(1, "does Noah Schmidt owe us anything? CUS-1008", "INV-1102 INV-1149 INV-1196")]
    out = resolve("write him one email listing all of them", history, KINDS, lookup, ACTS)
    assert out.question is None
    assert entities(out) == ["CUS-1008", "INV-1102", "INV-1149", "INV-1196"]
    # Beside a person, "both" after two people is not read as those people again.
    history = [turn(1, "look up CUS-1001 and CUS-1003")]
    out = resolve("email CUS-1001 about both", history, KINDS, lookup, ACTS)
    assert [r.entity for r in out.resolutions if r.phrase == "both"] == []


def test_an_id_of_the_thread_or_a_kind_the_lookup_does_not_cover_is_never_mended() -> None:
    # The lookup knows no customer here: CUS-1001 and CUS-1003 are one slip apart, yet each
    # is taken as typed (the lookup may simply not cover customers).
    history = [turn(1, "look up CUS-1001 and CUS-1003")]
    out = resolve("what plan is CUS-1001 on", history, KINDS, lookup, ACTS)
    assert out.text == "what plan is CUS-1001 on" and out.resolutions == []
    history = [turn(1, "look up CUS-1003")]
    out = resolve("what plan is CUS-1001 on", history, KINDS, lookup, ACTS)
    assert out.text == "what plan is CUS-1001 on" and out.resolutions == []


def test_a_question_among_records_owned_by_the_verbs_kind_is_kept() -> None:
    # "credit it back" after two invoices: the credit goes to the customer of the one picked,
    # so the question among the invoices stands (it is not turned into "which customer?").
    def owned(entity: str) -> RecordFacts | None:
        return RecordFacts(entity, "CUS-1037") if entity.startswith("INV") else None

    history = [turn(1, "INV-1129 and INV-1223, which one has the late fee")]
    out = resolve("credit it back to the customer", history, KINDS, owned, ACTS)
    assert out.question is not None and "INV-1129" in out.question and "INV-1223" in out.question


def test_both_in_what_a_message_says_is_no_reference() -> None:
    def marias(entity: str) -> RecordFacts | None:
        return RecordFacts(entity, "CUS-1001" if entity.startswith("TCK") else None)

    history = [turn(1, "TCK-1001 + TCK-1058 both maria's rite?")]
    for request in ("email them we closed both", "email her a heads up that both r closed"):
        out = resolve(request, history, KINDS, marias, ACTS)
        assert entities(out) == ["CUS-1001"], request
    out = resolve("email her about both", history, KINDS, marias, ACTS)
    assert entities(out) == ["CUS-1001", "TCK-1001", "TCK-1058"]


def test_an_id_no_record_has_one_slip_from_one_record_of_the_kind_is_that_record_asked() -> None:
    # dev10 r10: "Roll DEP-1303 back." after an answer that named no deployment: DEP-1033 is
    # the one deployment one slip away, so the rollback asks to confirm it, and "Yes." runs it.
    deployments = ["DEP-1030", "DEP-1031", "DEP-1032", "DEP-1033"]
    facts = {e: RecordFacts(e, None, "api staging 2.15.0-rc1") for e in deployments}
    history = [turn(1, "whats going on with the api release?")]
    out = resolve(
        "Kill the rc. Roll DEP-1303 back.", history, KINDS, facts.get, ACTS, lambda _: deployments
    )
    assert out.question is not None and "DEP-1033" in out.question
    assert entities(out) == ["DEP-1033"] and out.resolutions[0].guessed
    # Read-only, the guess is said, not asked; one slip from several records is left as typed.
    out = resolve("who deployed DEP-1303?", history, KINDS, facts.get, ACTS, lambda _: deployments)
    assert out.question is None and out.text == "who deployed DEP-1033?"
    out = resolve("roll back DEP-1039", history, KINDS, facts.get, ACTS, lambda _: deployments)
    assert out.question is None and out.resolutions == []
    # Two records one slip away (DEP-1003 and DEP-1033 for DEP-1303): which one is asked.
    both = ["DEP-1003", "DEP-1033"]
    out = resolve("Roll DEP-1303 back.", history, KINDS, facts.get, ACTS, lambda _: both)
    assert out.question == "Which deployment do you mean: DEP-1003 or DEP-1033?"
