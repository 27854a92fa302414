"""References in the voice of conversations-dev16: a finance controller closing the month, who
moves from a listing to an action on it. Each case is a reference with several candidates the
resolver must ask about, beside the same shape with one candidate that it must not ask about."""

from __future__ import annotations

from ringmaster.graph.references import RecordFacts, resolve

from .references_kit import ACTS, KINDS, catalogue, turn

FACTS = {
    "CUS-1008": RecordFacts("CUS-1008", None, "Noah Schmidt Schmidt Consulting pro suspended",
                            ("INV-1102", "INV-1149", "INV-1196"), title="Noah Schmidt"),
    "CUS-1013": RecordFacts("CUS-1013", None, "Chloe Okafor Okafor Digital free active",
                            ("TCK-1075", "TCK-1150"), title="Chloe Okafor"),
    "CUS-1026": RecordFacts("CUS-1026", None, "Rafael Moreau Moreau Works starter active",
                            ("INV-1024", "INV-1212"), title="Rafael Moreau"),
    "CUS-1031": RecordFacts("CUS-1031", None, "Ben Garcia Garcia Group starter active",
                            ("TCK-1023", "TCK-1043", "TCK-1126"), title="Ben Garcia"),
    "TCK-1023": RecordFacts("TCK-1023", "CUS-1031", "Dashboard loads slowly closed", done=True),
    "TCK-1043": RecordFacts("TCK-1043", "CUS-1031", "SSO login fails with SAML error pending"),
    "TCK-1126": RecordFacts("TCK-1126", "CUS-1031", "API returns 502 errors open"),
    "TCK-1075": RecordFacts("TCK-1075", "CUS-1013", "Report shows wrong totals closed", done=True),
    "TCK-1150": RecordFacts("TCK-1150", "CUS-1013", "Mobile app crashes on start pending"),
    "INV-1102": RecordFacts("INV-1102", "CUS-1008", "unpaid 2025-04 april usd"),
    "INV-1149": RecordFacts("INV-1149", "CUS-1008", "unpaid 2025-05 may usd"),
    "INV-1196": RecordFacts("INV-1196", "CUS-1008", "unpaid 2025-06 june usd"),
    "INV-1024": RecordFacts("INV-1024", "CUS-1026", "unpaid 2025-02 february usd"),
    "INV-1212": RecordFacts("INV-1212", "CUS-1026", "unpaid 2025-06 june usd"),
}  # fmt: skip

lookup, records = catalogue(FACTS)


def test_an_act_on_it_beside_a_named_person_asks_among_that_persons_records() -> None:
    # The answer looked the customer up and listed none of his tickets by id; "him" names the
    # customer, "it" is bound to nothing: one of his two unfinished tickets, asked.
    history = [turn(1, "Month-end check on Ben Garcia: what's still open on his account?",
                    "CUS-1031 Ben Garcia")]  # fmt: skip
    request = "Close it, finance has what it needs from him."
    out = resolve(request, history, KINDS, lookup, ACTS, records)
    assert out.question is not None
    assert "TCK-1043" in out.question and "TCK-1126" in out.question
    assert "TCK-1023" not in out.question  # closed: not in play
    # One unfinished ticket of hers: nothing to ask.
    history = [turn(1, "Month-end check on Chloe Okafor: what's still open on her account?",
                    "CUS-1013 Chloe Okafor")]  # fmt: skip
    request = "Close it, finance has what it needs from her."
    assert resolve(request, history, KINDS, lookup, ACTS, records).question is None
    # "CUS-1031's ticket" names the kind: the possessive is read by `owned`, as before.
    history = [turn(1, "What's open on CUS-1031's side?", "CUS-1031 Ben Garcia")]
    out = resolve("close his SAML ticket", history, KINDS, lookup, ACTS, records)
    assert out.question is None and "TCK-1043" in out.text


def test_an_ordinal_of_something_else_picks_no_record() -> None:
    # "the first reminder" counts reminders, not the two customers just named.
    history = [turn(1, "For the AR ageing: what do Noah Schmidt and Rafael Moreau owe us?",
                    "CUS-1008 INV-1102 INV-1149 INV-1196")]  # fmt: skip
    request = "Put that customer on dunning and draft the first reminder."
    out = resolve(request, history, KINDS, lookup, ACTS, records)
    assert out.question is not None
    assert "CUS-1008" in out.question and "CUS-1026" in out.question
    out = resolve("Draft that customer the second reminder.", history, KINDS, lookup, ACTS, records)
    assert out.question is not None and "CUS-1026" in out.question
    # An ordinal that counts the records still picks one.
    out = resolve("Email the first customer.", history, KINDS, lookup, ACTS, records)
    assert out.question is None and "CUS-1008" in out.text


def test_the_noun_before_a_phrase_of_its_own_is_still_a_reference() -> None:
    # "for the month-end pack" describes neither incident the answer listed: asked.
    facts = {
        "INC-1001": RecordFacts("INC-1001", None, "billing-service Duplicate card charges sev2"),
        "INC-1002": RecordFacts("INC-1002", None, "billing-service Invoice generation stuck sev2"),
    }
    history = [turn(1, "Which incidents hit the billing-service this year?", "INC-1002 INC-1001")]
    request = "Draft a customer-facing summary of the incident for the month-end pack."
    out = resolve(request, history, KINDS, facts.get, ACTS, records)
    assert out.question is not None
    assert "INC-1001" in out.question and "INC-1002" in out.question
    # Words after the noun that fit one of them pick it ("the incident with the duplicate
    # charges"); a bare word may describe a record not in play yet ("for March"): as typed.
    out = resolve("Draft a summary of the incident with the duplicate charges.", history, KINDS,
                  facts.get, ACTS, records)  # fmt: skip
    assert out.question is None and "INC-1001" in out.text
    out = resolve("Draft a summary of the incident for March.", history, KINDS, facts.get, ACTS,
                  records)  # fmt: skip
    assert out.question is None and out.text.endswith("the incident for March.")
    # With one incident in play, it is that one.
    history = [turn(1, "Which incidents hit the web this year?", "INC-1009")]
    out = resolve(request, history, KINDS, facts.get, ACTS, records)
    assert out.question is None


def test_a_note_to_a_named_person_is_no_act_on_an_unbound_record() -> None:
    # "a short note to the customer": a draft to the person the thread is about, though
    # "note" is also what the ticket tool adds; no "it" is left for a ticket.
    history = [turn(1, "What's open on Ben Garcia's account?", "CUS-1031 Ben Garcia")]
    request = "Please draft a short note to the customer confirming the refund."
    out = resolve(request, history, KINDS, lookup, ACTS, records)
    assert out.question is None and "CUS-1031" in out.text


def test_a_typed_persons_record_is_credited_to_the_turn_being_read() -> None:
    # "CUS-1031's SAML ticket": the person was typed in this request (turn 2), not taken from an
    # earlier turn, so the record read through her is this turn's, not "turn 0".
    history = [turn(1, "What does Noah Schmidt owe?", "CUS-1008 INV-1102 INV-1149 INV-1196")]
    out = resolve("close CUS-1031's SAML ticket", history, KINDS, lookup, ACTS, records)
    assert out.question is None and "TCK-1043" in out.text
    [ticket] = [r for r in out.resolutions if r.entity == "TCK-1043"]
    assert ticket.turn == 2
