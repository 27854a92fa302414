"""References typed fast on a phone or in a second language (conversations-dev11): an act on
"that one" when the thread holds no record of its kind, a reply whose ordinal and name
disagree, a first name two people of the thread share."""

from __future__ import annotations

from ringmaster.graph.references import RecordFacts, resolve

from .references_kit import ACTS, KINDS, turn

FACTS = {
    "CUS-1003": RecordFacts("CUS-1003", None, "Aisha Khan Khan Bakery starter active",
                            ("TCK-1002", "TCK-1091", "INV-1144", "INV-1191"),
                            title="Aisha Khan"),
    "TCK-1002": RecordFacts("TCK-1002", "CUS-1003", "Charged twice this month open high"),
    "TCK-1091": RecordFacts("TCK-1091", "CUS-1003",
                            "Question about my latest invoice pending normal"),
    "INV-1144": RecordFacts("INV-1144", "CUS-1003", "paid 2025-05 may usd"),
    "INV-1191": RecordFacts("INV-1191", "CUS-1003", "unpaid 2025-06 june usd"),
    "CUS-1005": RecordFacts("CUS-1005", None, "Sofia Rossi Rossi & Figli pro active",
                            title="Sofia Rossi"),
    "CUS-1035": RecordFacts("CUS-1035", None, "Greta Yilmaz Yilmaz Co business active",
                            title="Greta Yilmaz"),
    "CUS-1037": RecordFacts("CUS-1037", None, "Greta Fischer Fischer Co pro active",
                            title="Greta Fischer"),
}  # fmt: skip


def lookup(entity: str) -> RecordFacts | None:
    return FACTS.get(entity)


def test_an_act_on_that_one_with_no_record_of_its_kind_in_the_thread_is_asked() -> None:
    # The answer named no deployment: "that one" stands for none the thread knows, so the
    # rollback is asked, never handed to the ops skill to pick a service.
    history = [turn(1, "whats on web prod and staging rn")]
    for typed in ("roll back that one", "roll it back", "rollback that one pls"):
        out = resolve(typed, history, KINDS, lookup, ACTS)
        assert out.question is not None and "deployment" in out.question, typed
    # No pronoun: the request says what to roll back itself.
    out = resolve("roll back web in staging", history, KINDS, lookup, ACTS)
    assert out.question is None and out.text == "roll back web in staging"
    # A record of the kind in play: "that one" is it.
    history = [turn(1, "whats on web prod rn", "DEP-1028")]
    out = resolve("roll back that one", history, KINDS, lookup, ACTS)
    assert out.question is None and out.text == "roll back DEP-1028"


def test_a_reply_whose_name_and_ordinal_disagree_is_the_person_named() -> None:
    # "Which customer do you mean: CUS-1003 or CUS-1005?" lists them by id; the user counts
    # in the order they brought them up, and names Sofia: the name settles it.
    history = [
        turn(1, "Customer CUS-1005 she have problem with invoice of May"),
        turn(2, "Also customer CUS-1003 say same thing"),
    ]
    asked = resolve("Please give her credit of 20 dollars", history, KINDS, lookup, ACTS)
    assert asked.question is not None
    history.append(
        {
            "turn": 3,
            "request": "Please give her credit of 20 dollars",
            "entities": {
                "named": [],
                "question": {
                    "request": "Please give her credit of 20 dollars",
                    "options": [["customer", "CUS-1003"], ["customer", "CUS-1005"]],
                },
            },
        }
    )
    out = resolve("The first customer, Sofia", history, KINDS, lookup, ACTS)
    assert [r.entity for r in out.resolutions] == ["CUS-1005"] and "CUS-1003" not in out.text
    # An ordinal alone counts the question's options.
    out = resolve("the first one", history, KINDS, lookup, ACTS)
    assert [r.entity for r in out.resolutions] == ["CUS-1003"]


def test_a_first_name_two_people_of_the_thread_share_is_asked() -> None:
    history = [
        turn(1, "greta yilmaz tix? CUS-1035"),
        turn(2, "and greta fischer CUS-1037"),
    ]
    for typed in ("give greta 25 credit for the wait", "give Greta 25 credit for the wait"):
        out = resolve(typed, history, KINDS, lookup, ACTS)
        assert out.question is not None, typed
        assert "CUS-1035" in out.question and "CUS-1037" in out.question
    # The whole name, or an id typed beside it, settles it.
    out = resolve("give greta fischer 25 credit", history, KINDS, lookup, ACTS)
    assert out.question is None and out.text == "give CUS-1037 25 credit"
    out = resolve("give Greta (CUS-1035) 25 credit", history, KINDS, lookup, ACTS)
    assert out.question is None


def test_a_name_typed_in_lower_case_is_the_person_of_the_thread_it_names() -> None:
    history = [turn(1, "plan for CUS-1003 n CUS-1005?")]
    out = resolve("and email sofia her plan details", history, KINDS, lookup, ACTS)
    assert out.question is None and "CUS-1005" in out.text and "CUS-1003" not in out.text
    # Beside a person's id, a name typed in lower case is theirs (and not yet in the thread).
    out = resolve("and aisha khan CUS-1004", history, KINDS, lookup, ACTS)
    assert out.text == "and aisha khan CUS-1004"
    # In lower case only a word of a name counts, not a plan or a status ("pro", "active").
    out = resolve("and email the pro plan details to active users", history, KINDS, lookup, ACTS)
    assert out.text == "and email the pro plan details to active users"


def test_the_demo_teams_nouns_typed_in_shorthand_are_references() -> None:
    # The team file's nouns hold how people type them fast: "the tix", "the cust", "the acct".
    history = [turn(1, "TCK-1126 whats happening"), turn(2, "is api ok rn")]
    out = resolve("ok add note to the tix: eng looking at 5xx alert", history, KINDS, None, ACTS)
    assert out.text == "ok add note to TCK-1126: eng looking at 5xx alert"
    history = [turn(1, "TCK-1101 webhooks delayed still?", "CUS-1021")]
    for typed, expected in [
        ("ok whats the cust paying", "ok whats CUS-1021 paying"),
        ("ok give 50 credit on the acct", "ok give 50 credit on CUS-1021"),
    ]:
        assert resolve(typed, history, KINDS, None, ACTS).text == expected


def test_an_act_word_reported_done_is_no_side_effect_to_ask_about() -> None:
    # "refund done" says what happened: only the close is asked for, on the ticket picked.
    history = [turn(1, "TCK-1002 n TCK-1091 both aisha rite"), turn(2, "whats CUS-1003 plan")]
    out = resolve("close the first one refund done", history, KINDS, lookup, ACTS)
    assert out.question is None and out.text == "close TCK-1002 refund done"
    # A refund asked for still is one: which invoice of hers is asked.
    out = resolve("close the first one then refund", history, KINDS, lookup, ACTS)
    assert out.question is not None and "INV-1191" in out.question


def test_a_plural_that_counts_fewer_records_than_are_in_play_is_asked() -> None:
    # The answer listed five invoices; "all three" is three of them, so which is asked.
    five = "INV-1022 INV-1069 INV-1116 INV-1163 INV-1210"
    history = [turn(1, "tix for tariq castillo CUS-1024", five)]
    out = resolve("all three to high pls", history, KINDS, None, ACTS)
    assert out.question is not None and "INV-1210" in out.question and out.resolutions == []
    # Three in play: all three are meant.
    history = [turn(1, "CUS-1008 unpaid invs?", "INV-1102 INV-1149 INV-1196")]
    out = resolve("send a reminder for all three", history, KINDS, None, ACTS)
    assert out.question is None and len(out.resolutions) == 3


def test_its_typed_for_its_done_is_no_record() -> None:
    # "its done" is "it's done" without the apostrophe: the work just done, not a possessive.
    history = [turn(1, "TCK-1002 n TCK-1091 both aisha rite")]
    out = resolve("tell her its done", history, KINDS, lookup, ACTS)
    assert out.question is None and out.text == "tell CUS-1003 its done"
    # Before a noun "its" is still the record's: "whats its priority" after one ticket.
    out = resolve("whats its priority", [turn(1, "TCK-1101 status")], KINDS, lookup, ACTS)
    assert out.text == "whats TCK-1101's priority"


def test_a_bare_person_noun_a_message_goes_to_is_the_person_of_the_thread() -> None:
    history = [turn(1, "TCK-1002 n TCK-1091 both aisha rite")]
    out = resolve("email cust a reminder to reply pls", history, KINDS, lookup, ACTS)
    assert out.text.startswith("email CUS-1003 a reminder")
    # "customer support" is a team, not the customer.
    out = resolve("tell customer support to call back", history, KINDS, lookup, ACTS)
    assert "CUS-1003" not in out.text


def test_a_noun_that_is_an_ids_prefix_is_no_reference_inside_the_id() -> None:
    # "inv" is shorthand for invoice and also how invoice ids begin: "the status of INV-1191"
    # read "the status of INV" as "the status-of invoice" and asked which of the invoices in
    # play was meant, though the request names one (CI: the six-turn session's third turn).
    history = [turn(1, "which invoices does CUS-1003 have", "INV-1144 INV-1191")]
    for typed in (
        "what is the status of INV-1191 now?",
        "refund the INV-1191 in full",
        "is my INV-1191 paid",
        "what about that INV-1144",
    ):
        out = resolve(typed, history, KINDS, lookup, ACTS)
        assert out.question is None, (typed, out.question)
        assert out.text == typed, (typed, out.text)
    # The shorthand itself still refers: "the inv" is the invoice in play when only one is.
    history = [turn(1, "show INV-1191")]
    out = resolve("resend the inv", history, KINDS, lookup, ACTS)
    assert out.text == "resend INV-1191"


def test_terse_slips_of_there_and_shes_are_read_as_meant() -> None:
    from tests.graph.test_references_two_of_a_kind import ids
    from tests.graph.test_references_two_of_a_kind import lookup as demo_lookup

    history = [turn(1, "email CUS-1032 that her june invoice is due next week")]
    out = resolve("also what plan shes on", history, KINDS, demo_lookup, ACTS)
    assert ids(out) == {"CUS-1032"}
    # "there" with describing words before a record's noun is "their"; "there are 2 …" is not.
    thread = [turn(1, "what plan is CUS-1031 on"), turn(2, "close TCK-1126")]
    out = resolve("and close there sso tkt", thread, KINDS, demo_lookup, ACTS)
    assert out.text == "and close CUS-1031's sso tkt" and ids(out) == {"CUS-1031"}
    for request in ["is there an open ticket for CUS-1031", "there are 2 tickets open"]:
        assert resolve(request, thread, KINDS, demo_lookup, ACTS).text == request


def test_still_open_asks_a_state_and_opens_nothing() -> None:
    # Two customers in play: "still open?" is no ticket to open for one of them.
    history = [turn(1, "what plan is CUS-1012 on"), turn(2, "and email CUS-1021 the same")]
    out = resolve("TCK-1101 still open?", history, KINDS, None, ACTS)
    assert out.question is None and out.text == "TCK-1101 still open?"
