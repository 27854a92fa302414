"""A side effect said in other words than its tool's name ("revert it", "resolve that") is a
side effect, and a reply whose words fit several options picks one only as a guess: neither
acts on a record the thread left open without asking."""

from __future__ import annotations

from ringmaster.graph.references import RecordFacts, resolve
from tests.graph.references_kit import ACTS, KINDS, asked_turn, turn


def test_a_rollback_or_a_close_said_in_other_words_asks_which_of_several() -> None:
    two_deploys = [turn(1, "DEP-1028 and DEP-1029 health?")]
    for request in ("revert", "undo it", "pull it back", "revert that one asap"):
        out = resolve(request, two_deploys, KINDS, None, ACTS)
        assert out.question == "Which deployment do you mean: DEP-1028 or DEP-1029?", request
    three_tickets = [turn(1, "read me Greta's open tickets", "TCK-1022 TCK-1136 TCK-1138")]
    for request in ("okay resolve that", "resolve it please"):
        out = resolve(request, three_tickets, KINDS, None, ACTS)
        assert out.question == "Which ticket do you mean: TCK-1022, TCK-1136 or TCK-1138?"


def test_a_rollback_in_other_words_of_the_one_record_in_play_acts_on_it() -> None:
    one_deploy = [turn(1, "DEP-1028 health?")]
    for request, text in (("undo it", "undo DEP-1028"), ("revert", "revert (DEP-1028)")):
        out = resolve(request, one_deploy, KINDS, None, ACTS)
        assert (out.text, out.question) == (text, None)


# Two deployments on staging that run now: "staging" fits both.
STAGING = {
    "DEP-1025": RecordFacts("DEP-1025", None, "web staging 3.8.1 succeeded"),
    "DEP-1031": RecordFacts("DEP-1031", None, "api staging 2.14.0 succeeded"),
}
OPTIONS = [("deployment", "DEP-1025"), ("deployment", "DEP-1031")]


def test_a_reply_the_thread_tips_to_one_option_is_confirmed_before_the_act_runs() -> None:
    history = [
        turn(1, "whats on web prod and staging rn"),
        asked_turn(2, "roll it back", OPTIONS),
    ]
    out = resolve("staging", history, KINDS, STAGING.get, ACTS)
    # "web" said two turns before tips it: a guess, asked before anything is rolled back.
    assert out.question == "Did you mean DEP-1025? Reply yes or name the deployment."
    assert [(r.entity, r.guessed) for r in out.resolutions] == [("DEP-1025", "description")]
    # The question is about the request asked; "yes" runs it with the record named.
    assert out.text == "roll it back"
    confirm = {"request": out.text, "options": [["deployment", "DEP-1025"]], "confirm": True,
               "asked": out.question}  # fmt: skip
    empty = {"named": [], "touched": [], "together": [], "acted": []}
    history.append({"turn": 3, "request": out.text, "entities": {**empty, "question": confirm}})
    yes = resolve("yes", history, KINDS, STAGING.get, ACTS)
    assert (yes.text, yes.question) == ("roll DEP-1025 back", None)


def test_a_reply_the_thread_tips_to_one_option_of_a_look_up_is_read_without_asking() -> None:
    history = [
        turn(1, "whats on web prod and staging rn"),
        asked_turn(2, "what version is it?", OPTIONS),
    ]
    out = resolve("staging", history, KINDS, STAGING.get, ACTS)
    assert (out.question, out.text) == (None, "what version is DEP-1025?")


# Releases as the demo store describes them; the older auth one is superseded.
RELEASES = {
    "DEP-1022": RecordFacts("DEP-1022", None, "auth production 4.2.1 succeeded", done=True),
    "DEP-1028": RecordFacts("DEP-1028", None, "web production 3.8.1 succeeded"),
    "DEP-1030": RecordFacts("DEP-1030", None, "auth production 4.3.0 succeeded"),
}


def test_the_latest_of_several_things_asked_for_is_not_one_record() -> None:
    # "latest" of "web and auth prod releases" is the latest of each: "roll it back" asks.
    listing = [turn(1, "web and auth prod releases, latest", "DEP-1030 DEP-1028 DEP-1022")]
    out = resolve("roll it back", listing, KINDS, RELEASES.get, ACTS)
    assert out.question is not None and "DEP-1028" in out.question and "DEP-1030" in out.question
    # Of one thing asked for, the latest is the newest record the answer listed.
    one = [turn(1, "latest auth prod release", "DEP-1030 DEP-1022")]
    out = resolve("roll it back", one, KINDS, RELEASES.get, ACTS)
    assert (out.text, out.question) == ("roll DEP-1030 back", None)


def _invoice(id_: str, status: str, month: str) -> RecordFacts:
    """An invoice of Sofia Rossi's as the demo lookup describes it (an unpaid one is also
    "outstanding overdue owing behind")."""
    also = " outstanding overdue owing behind" if status == "unpaid" else ""
    return RecordFacts(id_, "CUS-1005", f"{status}{also} 2025 {month} Sofia Rossi")


def test_it_after_a_listing_is_the_one_record_the_listings_words_fit() -> None:
    # "is she behind on any invoices?" listed all five: "it" next is the one she is behind on,
    # when exactly one is; of two, it is asked (among every invoice listed).
    one = {
        e.id: e
        for e in (_invoice("INV-1099", "paid", "april"), _invoice("INV-1146", "unpaid", "may"))
    }
    listing = [turn(1, "is Sofia Rossi behind on any invoices?", "INV-1099 INV-1146")]
    out = resolve("refund it", listing, KINDS, one.get, ACTS)
    assert (out.text, out.question) == ("refund INV-1146", None)
    two = {**one, "INV-1193": _invoice("INV-1193", "unpaid", "june")}
    listing = [turn(1, "is Sofia Rossi behind on any invoices?", "INV-1099 INV-1146 INV-1193")]
    out = resolve("refund it", listing, KINDS, two.get, ACTS)
    assert out.question is not None and "INV-1146" in out.question and "INV-1193" in out.question


def test_that_between_a_verb_and_its_particle_is_its_object() -> None:
    # "roll that back", "back that out": an act on "that", asked among two deployments, done
    # to the one in play (it was no act at all: the turn went to a drafting agent).
    two = [turn(1, "DEP-1028 DEP-1029 health?")]
    one = [turn(1, "DEP-1028 health?")]
    for request, text in (
        ("Let's roll that back before lunch.", "Let's roll DEP-1028 back before lunch."),
        ("back that out", "back DEP-1028 out"),
        ("roll this back", "roll DEP-1028 back"),
    ):
        out = resolve(request, two, KINDS, None, ACTS)
        assert out.question == "Which deployment do you mean: DEP-1028 or DEP-1029?", request
        assert (resolve(request, one, KINDS, None, ACTS).text, request) == (text, request)


def test_a_reply_fitting_an_option_the_act_cannot_take_is_the_one_it_can() -> None:
    # dev20 f02: "the password one" to "close it" whose options were her ticket and a help
    # article of that title: the close takes a ticket, so the ticket, with no guess to confirm.
    said = {
        "TCK-1001": RecordFacts("TCK-1001", "CUS-1001", "Cannot log in after password reset"),
        "DOC-1001": RecordFacts("DOC-1001", None, "How to reset your password"),
    }
    options = [("ticket", "TCK-1001"), ("document", "DOC-1001")]
    history = [asked_turn(1, "she says she's back in, close it", options)]
    out = resolve("the password one", history, KINDS, said.get, ACTS)
    assert out.question is None and out.text.endswith("close TCK-1001"), out
    assert [(r.entity, r.guessed) for r in out.resolutions if r.kind == "ticket"] == [
        ("TCK-1001", "")
    ]


def test_a_reply_fitting_a_live_and_a_superseded_option_is_the_live_one() -> None:
    # dev16 z09: "Production." to "roll back the deploy" of two billing-service production
    # releases, the older superseded: the one running there, not a guess to confirm.
    said = {
        "DEP-1017": RecordFacts("DEP-1017", None, "billing-service production 1.9.1", done=True),
        "DEP-1029": RecordFacts("DEP-1029", None, "billing-service production 1.10.0"),
        "DEP-1026": RecordFacts("DEP-1026", None, "billing-service staging 1.10.0"),
    }
    options = [("deployment", e) for e in ("DEP-1017", "DEP-1026", "DEP-1029")]
    history = [asked_turn(1, "Roll back the deploy.", options)]
    out = resolve("Production.", history, KINDS, said.get, ACTS)
    assert (out.text, out.question) == ("Roll back DEP-1029.", None), out
