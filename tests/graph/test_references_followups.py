"""Follow-ups the resolver used to get wrong: plural pronouns, descriptions a few turns back,
a note's own wording, a customer's "her ticket", words that only happen to occur in a subject."""

from __future__ import annotations

from typing import Any

from ringmaster.agents.demo import TEAM_FILE
from ringmaster.agents.spec import load_team
from ringmaster.graph.references import RecordFacts, kinds_from_team, resolve, turn_entities
from tests.graph.references_kit import ACTS

KINDS = kinds_from_team(load_team(TEAM_FILE).entities)

# As tools/demo/lookup.py answers for these records of the demo database.
FACTS = {
    "TCK-1001": RecordFacts("TCK-1001", "CUS-1001", "Cannot log in after password reset open"),
    "TCK-1003": RecordFacts("TCK-1003", "CUS-1002", "SSO login fails with SAML error pending"),
    "TCK-1005": RecordFacts("TCK-1005", "CUS-1007", "API returns 502 errors open urgent"),
    "TCK-1019": RecordFacts("TCK-1019", "CUS-1024", "Dashboard loads slowly open"),
    "TCK-1133": RecordFacts("TCK-1133", "CUS-1024", "Mobile app crashes on start open"),
    "TCK-1145": RecordFacts("TCK-1145", "CUS-1024", "Need to add more seats open"),
    "TCK-1114": RecordFacts("TCK-1114", "CUS-1011", "Invite email never arrived closed", done=True),
    "TCK-1120": RecordFacts("TCK-1120", "CUS-1011", "Dashboard loads slowly pending"),
    "TCK-1008": RecordFacts("TCK-1008", "CUS-1004", "Cannot upload CSV larger than 10 MB pending"),
    "TCK-1017": RecordFacts("TCK-1017", "CUS-1004", "Feature request: dark mode closed", done=True),
    "CUS-1024": RecordFacts(
        "CUS-1024", None, "Tariq Castillo", owns=("TCK-1019", "TCK-1133", "TCK-1145")
    ),
    "CUS-1011": RecordFacts("CUS-1011", None, "Elif Yilmaz", owns=("TCK-1114", "TCK-1120")),
    "CUS-1004": RecordFacts("CUS-1004", None, "Tom Becker", owns=("TCK-1008", "TCK-1017")),
    "INV-1146": RecordFacts("INV-1146", "CUS-1005", "unpaid 2025-05 May 2025"),
    "INV-1189": RecordFacts("INV-1189", "CUS-1001", "unpaid 2025-06 June 2025"),
}


def lookup(entity: str) -> RecordFacts | None:
    return FACTS.get(entity)


def turn(number: int, request: str, touched: str = "") -> dict[str, Any]:
    """A history entry as the synthesize node writes it; `touched` stands in a result."""
    results = {"t1": {"output": {"listed": touched}}} if touched else {}
    return {"turn": number, "request": request, "entities": turn_entities(KINDS, request, results)}


def ids(out: Any) -> set[str]:
    return {r.entity for r in out.resolutions}


def test_them_after_several_records_is_each_of_them_not_a_question() -> None:
    history = [turn(1, "set TCK-1003 and TCK-1005 to high priority")]
    out = resolve("close them", history, KINDS, lookup)
    assert out.question is None and out.text == "close TCK-1003 and TCK-1005"
    # "they" after two customers is both; "she" is one of them, so it is asked.
    history = [turn(1, "look up CUS-1020 and CUS-1021")]
    out = resolve("give them a 20 dollar credit each", history, KINDS, lookup)
    assert out.question is None and ids(out) == {"CUS-1020", "CUS-1021"}
    out = resolve("what plan is she on?", history, KINDS, lookup)
    assert out.question is not None and out.resolutions == []


def test_both_and_all_of_them_gather_across_turns_and_results() -> None:
    history = [turn(1, "what version is DEP-1024?"), turn(2, "and DEP-1028?")]
    out = resolve("roll back both", history, KINDS, lookup)
    assert ids(out) == {"DEP-1024", "DEP-1028"}
    history = [
        turn(1, "look up CUS-1024"),
        turn(2, "list CUS-1024's open tickets", touched="TCK-1019 TCK-1133 TCK-1145"),
    ]
    out = resolve("close all of them", history, KINDS, lookup)
    assert out.text == "close TCK-1019 and TCK-1133 and TCK-1145"


def test_they_standing_for_one_customer_takes_a_singular_verb() -> None:
    history = [turn(1, "look up CUS-1024")]
    assert resolve("what plan are they on?", history, KINDS, lookup).text == (
        "what plan is CUS-1024 on?"
    )
    # "her" before a function word is the person, not a possessive.
    out = resolve("open a ticket for her so that finance follows up", history, KINDS, lookup)
    assert out.text == "open a ticket for CUS-1024 so that finance follows up"


def test_a_word_that_merely_occurs_in_a_subject_picks_nothing() -> None:
    history = [turn(1, "TCK-1001 and TCK-1003 need attention")]
    # "in" occurs in TCK-1001's subject ("Cannot log in …"): not a description of it.
    out = resolve("close the ticket in the morning", history, KINDS, lookup)
    assert out.question is not None and out.resolutions == []
    out = resolve("close the SAML ticket", history, KINDS, lookup)
    assert out.text == "close TCK-1003"


def test_a_description_reads_back_a_few_turns_and_asks_on_a_tie() -> None:
    history = [
        turn(1, "which tickets does CUS-1024 have open?", touched="TCK-1019 TCK-1133 TCK-1145"),
        turn(2, "close TCK-1019"),
    ]
    out = resolve("and the mobile app one too", history, KINDS, lookup)
    # An ellipsis: the last request about tickets, repeated for the record described.
    assert out.text == "close TCK-1133" and [r.turn for r in out.resolutions] == [1]
    out = resolve("close the open one", history[:1], KINDS, lookup)  # all three are open
    assert out.question is not None and out.resolutions == []
    # Nothing listed, but the customer in play has one ticket the words fit.
    history = [turn(1, "which tickets does CUS-1004 have open?")]
    assert resolve("add a note to the CSV one", history, KINDS, lookup).text == (
        "add a note to TCK-1008"
    )


def test_her_ticket_is_her_only_unfinished_one_or_a_question() -> None:
    history = [turn(1, "look up CUS-1011")]
    assert resolve("reopen her ticket", history, KINDS, lookup).text == "reopen TCK-1120"
    history = [turn(1, "look up CUS-1024")]
    out = resolve("close her open ticket", history, KINDS, lookup)
    assert out.question is not None and "TCK-1133" in out.question


def test_it_does_not_reach_past_a_turn_about_no_record() -> None:
    history = [turn(1, "status of TCK-1001"), turn(2, "what's our revenue for May?")]
    out = resolve("is it up compared to April?", history, KINDS, lookup)
    assert out.resolutions == [] and out.question is None
    history = [turn(1, "status of TCK-1001"), turn(2, "thanks!")]
    assert resolve("close it", history, KINDS, lookup).text == "close TCK-1001"


def test_a_notes_own_wording_is_left_as_written() -> None:
    history = [turn(1, "status of TCK-1005")]
    out = resolve("add a note to it saying the customer confirmed the fix", history, KINDS, lookup)
    assert out.text == "add a note to TCK-1005 saying the customer confirmed the fix"
    # The object of "email" is a reference, even with what to say after it.
    out = resolve("close it and email the customer that it is fixed", history, KINDS, lookup)
    assert "CUS-1007" in ids(out) and "email CUS-1007 that" in out.text


def test_the_customer_on_that_ticket_resolves_to_the_customer_only() -> None:
    history = [turn(1, "reopen TCK-1001")]
    out = resolve("which plan is the customer on that ticket on?", history, KINDS, lookup)
    assert ids(out) == {"CUS-1001"}


def test_there_before_a_records_noun_is_read_as_their() -> None:
    history = [turn(1, "look up CUS-1024")]
    out = resolve("what plan is there account on", history, KINDS, lookup)
    assert ids(out) == {"CUS-1024"}


def test_an_it_that_is_no_record_is_left_alone() -> None:
    history = [turn(1, "draft a status update about TCK-1005")]
    for request in (
        "make it shorter",
        "make them more formal",
        "rewrite it for customers",
        "It would be great, it seems urgent",
    ):
        out = resolve(request, history, KINDS, lookup)
        assert out.resolutions == [] and out.question is None, request
    out = resolve("It would be great if you could close it", history, KINDS, lookup)
    assert out.text == "It would be great if you could close TCK-1005"


def test_the_rest_of_the_request_tells_equally_described_records_apart() -> None:
    facts = {
        "DEP-1031": RecordFacts("DEP-1031", None, "api staging 2.14.0 succeeded"),
        "DEP-1032": RecordFacts("DEP-1032", None, "api production 2.14.0 succeeded"),
    }
    history = [turn(1, "list the api deployments", touched="DEP-1032 DEP-1031")]
    out = resolve("roll back the api deployment in production", history, KINDS, facts.get)
    assert out.text == "roll back DEP-1032 in production"
    out = resolve("roll back the api deployment", history, KINDS, facts.get)
    assert out.question is not None and out.resolutions == []


def test_the_ticket_of_the_customer_in_play_is_her_one_open_ticket_or_a_question() -> None:
    history = [turn(1, "look up CUS-1011")]  # one unfinished ticket (TCK-1114 is closed)
    assert resolve("close the ticket", history, KINDS, lookup).text == "close TCK-1120"
    history = [turn(1, "look up CUS-1024")]  # three open tickets
    out = resolve("close the ticket", history, KINDS, lookup)
    assert out.question is not None and out.resolutions == []
    assert resolve("close the dashboard ticket", history, KINDS, lookup).text == ("close TCK-1019")


def test_they_after_two_customers_is_asked_unless_each_of_them_is_meant() -> None:
    history = [turn(1, "look up CUS-1020 and CUS-1021")]
    out = resolve("what plan are they on?", history, KINDS, lookup)
    assert out.question is not None and out.resolutions == []
    out = resolve("email them both about the credit", history, KINDS, lookup)
    assert ids(out) == {"CUS-1020", "CUS-1021"}


def test_a_repeat_is_a_follow_up_that_asks_nothing_of_its_own() -> None:
    history = [turn(1, "add a note to TCK-1004 saying we are on it and set it to pending")]
    for request, text in (
        ("do that for TCK-1005 too", "add a note to TCK-1005 saying we are on it"),
        ("ok, and what about ticket TCK-1005 then?", "add a note to TCK-1005"),
        ("actualy make it TCK-1005", "add a note to TCK-1005"),
        ("sorry, TCK-1005 not TCK-1004", "add a note to TCK-1005"),
    ):
        out = resolve(request, history, KINDS, lookup)
        assert out.text.startswith(text) and ids(out) == {"TCK-1005"}, request
    # "also close TCK-1005" is its own request: nothing of the note is repeated.
    out = resolve("also close TCK-1005", history, KINDS, lookup)
    assert out.text == "also close TCK-1005" and out.resolutions == []


def test_a_reference_typed_with_a_slip_still_resolves() -> None:
    history = [turn(1, "status of TCK-1005")]
    assert ids(resolve("what plan is that custmer on", history, KINDS, lookup)) == {"CUS-1007"}
    assert ids(resolve("what plan is thier account on", history, KINDS, lookup)) == {"CUS-1007"}
    # A real word next to a demonstrative is left as it is.
    out = resolve("use that contact form", history, KINDS, lookup)
    assert out.text == "use that contact form" and out.resolutions == []


INVOICES = {
    "CUS-1012": RecordFacts("CUS-1012", None, "Olivia Novak"),
    "INV-1153": RecordFacts("INV-1153", "CUS-1012", "paid 2025-05 May 2025 Olivia Novak"),
    "INV-1200": RecordFacts("INV-1200", "CUS-1012", "unpaid 2025-06 June 2025 Olivia Novak"),
    "INV-1106": RecordFacts("INV-1106", "CUS-1012", "paid 2025-04 April 2025 Olivia Novak"),
}


def test_of_a_listing_the_record_the_request_asked_for_is_meant() -> None:
    listed = "INV-1106 INV-1153 INV-1200"
    history = [turn(1, "what did we charge CUS-1012 in June?", touched=listed)]
    assert resolve("was that invoice paid?", history, KINDS, INVOICES.get).text == (
        "was INV-1200 paid?"
    )
    assert (
        resolve("has it been paid?", history, KINDS, INVOICES.get).text == "has INV-1200 been paid?"
    )
    history = [turn(1, "what's the latest invoice for CUS-1012?", touched=listed)]
    assert resolve("refund it", history, KINDS, INVOICES.get).text == "refund INV-1200"
    # A listing the request does not narrow stays a question.
    history = [turn(1, "list the invoices of CUS-1012", touched=listed)]
    assert resolve("refund it", history, KINDS, INVOICES.get).question is not None
    # "the oldest one" of a listing.
    assert resolve("refund the oldest one", history, KINDS, INVOICES.get).text == (
        "refund INV-1106"
    )


def test_whos_the_customer_typed_without_an_apostrophe_asks_about_the_ticket() -> None:
    history = [turn(1, "hey can u look at TCK-1010")]
    out = resolve("whos the customer", history, KINDS, lookup)
    assert ids(out) == {"TCK-1010"} and "TCK-1010" in out.text


def test_her_after_a_verb_of_giving_is_whom_unless_a_thing_of_hers_follows() -> None:
    # "give her credit" was read "give CUS-1005's credit": an object pronoun taken for a
    # possessive because a noun followed it. After give/send/email/issue … "her" is whom the
    # thing goes to, unless the noun is a thing she has (a record's noun: "send her invoice")
    # or another object follows it ("give her account a credit").
    history = [turn(1, "what plan is CUS-1005 on?")]
    for said, meant in [
        ("give her credit", "give CUS-1005 credit"),
        ("issue her credit for the outage", "issue CUS-1005 credit for the outage"),
        ("send her reset link", "send CUS-1005 reset link"),
        ("offer her discount", "offer CUS-1005 discount"),
        ("send her invoice", "send CUS-1005's invoice"),
        ("give her account a credit", "give CUS-1005's account a credit"),
        ("check her account", "check CUS-1005's account"),
        ("email her a reminder", "email CUS-1005 a reminder"),
    ]:
        assert resolve(said, history, KINDS, lookup).text == meant, said


def test_a_plural_before_a_kinds_noun_gathers_that_kind_across_turns() -> None:
    # "who opened TCK-1092?", "and TCK-1102?", "what plan is CUS-1032 on?": "both tickets" are
    # the two tickets the turns before named one at a time, not the customer just asked about.
    history = [
        turn(1, "who opened TCK-1092?"),
        turn(2, "who opened TCK-1102?"),
        turn(3, "what plan is CUS-1032 on?"),
    ]
    out = resolve("close both tickets", history, KINDS, acts=ACTS)
    assert out.question is None and ids(out) == {"TCK-1092", "TCK-1102"}
    # "all three tickets" when only two were named: which three is asked, never two closed.
    assert resolve("close all three tickets", history, KINDS, acts=ACTS).question is not None


def test_them_both_beside_a_person_is_the_records_not_left_as_a_pronoun() -> None:
    # "INV-1067 and INV-1114: both paid?", "INV-1067 - what amount?": "copies of them both"
    # are the two invoices, and "the customer" their customer.
    history = [
        turn(1, "INV-1067 and INV-1114: both paid?", "CUS-1021"),
        turn(2, "INV-1067 - what amount?", "CUS-1021"),
    ]
    out = resolve("email the customer copies of them both", history, KINDS)
    assert out.question is None
    assert out.text == "email CUS-1021 copies of INV-1067 and INV-1114"
