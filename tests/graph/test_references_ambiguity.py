"""Ambiguity the resolver used to act on: references that have two candidates in the thread
although the newest turn named only one of them."""

from __future__ import annotations

from typing import Any

from ringmaster.graph.references import (
    RecordFacts,
    entity_ids,
    resolve,
    turn_entities,
)
from tests.graph.references_kit import ACTS, KINDS, turn


def test_the_same_question_of_two_records_leaves_both_as_candidates() -> None:
    # "what plan is CUS-1011 on", "and CUS-1012?" (rewritten to the same question): either.
    history = [turn(1, "what plan is CUS-1011 on"), turn(2, "what plan is CUS-1012 on")]
    for request in ("open a ticket for the customer about upgrading", "email him the guide"):
        out = resolve(request, history, KINDS)
        assert out.question is not None and out.resolutions == [], request
        assert "CUS-1011" in out.question and "CUS-1012" in out.question
    # "that customer" points at the one just named.
    out = resolve("what plan is that customer on", history, KINDS)
    assert out.question is None and [r.entity for r in out.resolutions] == ["CUS-1012"]


def test_a_bare_follow_up_about_another_kind_leaves_both_as_candidates() -> None:
    # "what's going on with TCK-1005?", "and INC-1012?", "close it": the ticket or the incident.
    history = [turn(1, "what's going on with TCK-1005?"), turn(2, "and INC-1012?")]
    out = resolve("close it", history, KINDS)
    assert out.question is not None and out.resolutions == []
    assert "TCK-1005" in out.question and "INC-1012" in out.question


def sent(number: int, request: str, status: str = "executed") -> dict[str, Any]:
    """A history entry whose e-mail to the request's customer ran (or ended in `status`)."""
    to = [e for _, e in entity_ids(KINDS, request)]
    results = {
        "t1": {
            "description": request,
            "actions": [{"tool": "send_email", "args": {"to": to}, "status": status}],
        }
    }
    return {"turn": number, "request": request, "entities": turn_entities(KINDS, request, results)}


def test_the_same_action_done_again_moves_the_thread_on() -> None:
    # "send CUS-1043 a reminder", "same for CUS-1037" (rewritten), both sent: "they" is CUS-1037.
    history = [
        sent(1, "send CUS-1043 a reminder email about their unpaid invoices"),
        sent(2, "send CUS-1037 a reminder email about their unpaid invoices"),
    ]
    out = resolve("how much do they owe in total?", history, KINDS)
    assert out.question is None and [r.entity for r in out.resolutions] == ["CUS-1037"]
    # Neither e-mail went out: nothing finished CUS-1043, so "they" is either.
    history = [
        sent(1, "send CUS-1043 a reminder email about their unpaid invoices", "error"),
        sent(2, "send CUS-1037 a reminder email about their unpaid invoices", "error"),
    ]
    out = resolve("how much do they owe in total?", history, KINDS)
    assert out.question is not None and out.resolutions == []
    assert "CUS-1043" in out.question and "CUS-1037" in out.question


def listed(number: int, request: str, touched: str) -> dict[str, Any]:
    """A history entry whose result listed `touched` (a lookup's answer)."""
    results = {"t1": {"output": {"listed": touched}}}
    return {"turn": number, "request": request, "entities": turn_entities(KINDS, request, results)}


def test_the_other_one_of_a_listing_is_its_one_record_left_or_a_question() -> None:
    history = [
        listed(1, "list CUS-1024's open tickets", "TCK-1019 TCK-1133 TCK-1145"),
        turn(2, "close TCK-1133"),
    ]
    out = resolve("what about the other one?", history, KINDS)
    assert out.question is not None and out.resolutions == []
    assert "TCK-1019" in out.question and "TCK-1145" in out.question
    history = [listed(1, "list CUS-1007's tickets", "TCK-1005 TCK-1037"), turn(2, "close TCK-1037")]
    out = resolve("add a note to the other one: checked", history, KINDS)
    assert out.question is None and [r.entity for r in out.resolutions] == ["TCK-1005"]


def test_an_ellipsis_naming_another_kind_is_not_the_last_question_again() -> None:
    # "is CUS-1031 on the starter plan?", "and CUS-1032's tickets?": a question of its own.
    history = [turn(1, "is CUS-1031 on the starter plan?")]
    out = resolve("and CUS-1032's tickets?", history, KINDS)
    assert "plan" not in out.text and "CUS-1032" in out.text
    # The id's own noun is filler: "and customer CUS-1032?" repeats the question.
    out = resolve("and customer CUS-1032?", history, KINDS)
    assert out.text == "is CUS-1032 on the starter plan?"


def test_the_newer_or_older_of_two_is_the_later_or_earlier_id() -> None:
    # "show me INV-1146 and INV-1193", "… the newer one", "no, the older one".
    facts = {
        "INV-1146": RecordFacts("INV-1146", "CUS-1005", "unpaid 2025-05 May 2025"),
        "INV-1193": RecordFacts("INV-1193", "CUS-1005", "paid 2025-06 June 2025"),
    }
    history = [turn(1, "show me INV-1146 and INV-1193")]
    out = resolve("who's the customer on the newer one", history, KINDS, facts.get)
    assert out.question is None and [r.entity for r in out.resolutions] == ["INV-1193"]
    out = resolve("no, the older one", history, KINDS, facts.get)
    assert out.question is None and [r.entity for r in out.resolutions] == ["INV-1146"]


def test_records_an_answer_listed_in_passing_do_not_hide_the_one_named_earlier() -> None:
    # The answer about CUS-1024's plan listed five invoices; "that invoice" is INV-1210.
    history = [
        turn(1, "who owns INV-1210?"),
        listed(2, "what plan is CUS-1024 on", "INV-1210 INV-1163 INV-1116 INV-1069"),
    ]
    out = resolve("draft a payment reminder about that invoice", history, KINDS)
    assert out.question is None and [r.entity for r in out.resolutions] == ["INV-1210"]
    # When the request asked for them ("her invoices"), the listing is what it refers to.
    history[1] = listed(2, "list CUS-1024's invoices", "INV-1163 INV-1116")
    out = resolve("draft a payment reminder about that invoice", history, KINDS)
    assert out.question is not None and "INV-1163" in out.question


def test_a_bare_this_as_an_object_is_a_reference() -> None:
    history = [turn(1, "Maria forwarded this: TCK-1001 still isn't fixed, and TCK-1058 neither.")]
    out = resolve("Could you mark this as urgent for me please?", history, KINDS)
    assert out.question is not None and "TCK-1001" in out.question and "TCK-1058" in out.question
    history = [turn(1, "what's the status of TCK-1005?")]
    out = resolve("please close this", history, KINDS)
    assert out.question is None and out.text == "please close TCK-1005"
    # "this" before a noun or as a subject is no reference.
    for request in ("how many tickets did we close this week?", "this is odd, why?"):
        assert resolve(request, history, KINDS).resolutions == [], request


def test_records_an_action_on_a_customer_listed_in_passing_are_not_it() -> None:
    # "TCK-1130 is from CUS-1008", "reactivate CUS-1008" (its answer lists two invoices).
    history = [
        turn(1, "TCK-1130 is from CUS-1008"),
        listed(2, "reactivate CUS-1008", "INV-1008 INV-1055"),
    ]
    out = resolve("and close it", history, KINDS)
    assert out.question is None and [r.entity for r in out.resolutions] == ["TCK-1130"]
    # When the request asked for them by noun, the listing is what "it" is among.
    history[1] = listed(2, "show CUS-1008's invoices", "INV-1008 INV-1055")
    out = resolve("refund it", history, KINDS)
    assert out.question is not None and "INV-1008" in out.question


def test_a_side_effect_on_a_record_the_turn_leaves_out_is_asked_among_several() -> None:
    # Whatever the words ("teh invoice", "the Castillo account", "add note: …"), an action
    # whose record the turn does not name while the thread has two of its kind is asked.
    cases = [
        ("pls chek INV-1188 n INV-1235 for CUS-1050", "refund teh invoice", "INV-1188"),
        (
            "Oscar Castillo (CUS-1015) and Freya Castillo (CUS-1017), which plans are they on?",
            "Thanks! Please apply a $15 credit to the Castillo account for the trouble.",
            "CUS-1015",
        ),
        (
            "TCK-1022 + TCK-1138 both CUS-1035 rite",
            "add note: customer on leave til mon",
            "TCK-1022",
        ),
    ]
    for first, request, option in cases:
        out = resolve(request, [turn(1, first)], KINDS, acts=ACTS)
        assert out.question is not None and out.resolutions == [], request
        assert option in out.question, request
    # One record of the kind in play: nothing to choose, so nothing is asked.
    out = resolve("refund teh invoice", [turn(1, "check INV-1188 for me")], KINDS, acts=ACTS)
    assert out.question is None
    # A question, a listing, a noun and a side effect settled by its words are no such action.
    history = [turn(1, "Ben Garcia CUS-1031 and Olivia Garcia CUS-1032, DEP-1032 and DEP-1033")]
    for request in (
        "never mind. how many customers are on the business plan?",
        "show open tickets",
        "write a summary about the credit",
        "roll back the api in staging",
    ):
        assert resolve(request, history, KINDS, acts=ACTS).question is None, request


def done(number: int, request: str) -> dict[str, Any]:
    """A history entry whose side effect ran on the records its request names."""
    args = {"ids": [e for _, e in entity_ids(KINDS, request)]}
    results = {"t1": {"description": request, "actions": [{"args": args, "status": "executed"}]}}
    return {"turn": number, "request": request, "entities": turn_entities(KINDS, request, results)}


def test_do_the_same_with_two_records_in_play_asks_and_the_reply_runs_that_action() -> None:
    history = [
        done(1, "close TCK-1078, customer rotated the key fine"),
        turn(2, "now look at TCK-1043 and TCK-1126"),
    ]
    out = resolve("do the same", history, KINDS, acts=ACTS)
    assert out.question is not None and "TCK-1043" in out.question and "TCK-1126" in out.question
    assert out.text == "close it, customer rotated the key fine"  # what the question is about
    asked = {
        "turn": 3,
        "request": out.text,
        "entities": {
            "question": {
                "request": out.text,
                "options": [["ticket", "TCK-1043"], ["ticket", "TCK-1126"]],
            }
        },
    }
    reply = resolve("the second one", [*history, asked], KINDS, acts=ACTS)
    assert reply.question is None and reply.text == "close TCK-1126, customer rotated the key fine"


def test_ids_typed_in_lower_case_are_records_of_the_thread() -> None:
    assert entity_ids(KINDS, "tck-1022 + TCK-1138 for cus-1035") == [
        ("ticket", "TCK-1022"),
        ("ticket", "TCK-1138"),
        ("customer", "CUS-1035"),
    ]
    out = resolve("close it", [turn(1, "tck-1022 and tck-1138 whats up")], KINDS)
    assert out.question is not None and "TCK-1022" in out.question and "TCK-1138" in out.question


def test_the_owners_of_records_side_by_side_are_both_the_customer() -> None:
    # "who is TCK-1092 from?", "and TCK-1043?" (rewritten the same): either ticket's customer.
    owners = {
        "TCK-1092": RecordFacts("TCK-1092", "CUS-1032"),
        "TCK-1043": RecordFacts("TCK-1043", "CUS-1031"),
    }
    history = [turn(1, "who is TCK-1092 from?"), turn(2, "who is TCK-1043 from?")]
    out = resolve("send the customer a note that we're on it", history, KINDS, owners.get)
    assert out.question is not None and out.resolutions == []
    assert "CUS-1032" in out.question and "CUS-1031" in out.question


def test_a_question_opened_as_an_ellipsis_leaves_both_records_in_play() -> None:
    # "how much was INV-1024?", "ok. and INV-1212, is that one paid?": "the invoice" is either.
    history = [turn(1, "how much was INV-1024?"), turn(2, "ok. and INV-1212, is that one paid?")]
    out = resolve("refund the invoice", history, KINDS)
    assert out.question is not None and "INV-1024" in out.question and "INV-1212" in out.question
    # An action in between moves the thread on: "refund INV-1024", "and INV-1212, is it paid?".
    history = [done(1, "refund INV-1024"), turn(2, "ok. and INV-1212, is that one paid?")]
    out = resolve("refund the invoice", history, KINDS)
    assert out.question is None and [r.entity for r in out.resolutions] == ["INV-1212"]


def test_a_side_effect_bound_by_recency_asks_while_another_record_of_its_kind_is_live() -> None:
    # One record per turn, nothing settling either: "that one", "the ticket", "her" with a
    # side effect is either record, never the newer one by recency alone.
    tickets = [turn(1, "TCK-1022 is the login one"), turn(2, "and TCK-1138 is about rate limits")]
    for request in ("pls close that one", "add a note to the ticket: customer on leave"):
        out = resolve(request, tickets, KINDS, acts=ACTS)
        assert out.question is not None and out.resolutions == [], request
        assert "TCK-1022" in out.question and "TCK-1138" in out.question, request
    people = [turn(1, "CUS-1015 rang about her invoices"), turn(2, "CUS-1017 is on the pro plan")]
    for request in (
        "email her that it's sorted",
        "let the customer know we fixed it",
        # A reminder sent is a message to her as much as an email is.
        "send her a reminder",
        "remind her about it",
    ):
        out = resolve(request, people, KINDS, acts=ACTS)
        assert out.question is not None and out.resolutions == [], request
        assert "CUS-1015" in out.question and "CUS-1017" in out.question, request


def test_a_binding_recency_settles_is_acted_on() -> None:
    # A question about the newer record acts on nothing: it is read as before.
    tickets = [turn(1, "TCK-1022 is the login one"), turn(2, "and TCK-1138 is about rate limits")]
    out = resolve("what priority is that one?", tickets, KINDS, acts=ACTS)
    assert out.question is None and [r.entity for r in out.resolutions] == ["TCK-1138"]
    # The user set the earlier record aside: "it" is the one they moved to.
    switched = [turn(1, "look at TCK-1022"), turn(2, "forget that one, now TCK-1138: what's up")]
    out = resolve("close it", switched, KINDS, acts=ACTS)
    assert out.question is None and [r.entity for r in out.resolutions] == ["TCK-1138"]
    # "both" is every record, chosen on purpose; a description that fits one settles it.
    out = resolve("close both", tickets, KINDS, acts=ACTS)
    assert out.question is None and {r.entity for r in out.resolutions} == {"TCK-1022", "TCK-1138"}
    # A turn between the two leaves only the newer one live.
    spaced = [tickets[0], turn(2, "how many customers are on pro?"), turn(3, "TCK-1138 is next")]
    out = resolve("close it", spaced, KINDS, acts=ACTS)
    assert out.question is None and [r.entity for r in out.resolutions] == ["TCK-1138"]


def test_an_act_on_it_as_a_threads_first_turn_asks_which_record() -> None:
    # "close it" with nothing before it: no record stands for "it", so which one is asked,
    # never left for a planner to send to a person (or an agent to pick one).
    # Fillers before the verb say nothing of what "it" is ("hey, pls refund it").
    for request, noun in [
        ("close it", "ticket"),
        ("refund it please", "invoice"),
        ("hey, pls refund it", "invoice"),
    ]:
        out = resolve(request, [], KINDS, acts=ACTS)
        assert out.question == f"Which {noun} do you mean?" and out.resolutions == [], request
    # A record the request names, by id or by its noun, is what "it" is; a request with no act
    # on a record is no question.
    for request in [
        "TCK-1001 is solved, close it",
        "Tom Becker's ticket is solved, close it",
        "my login is broken, can you fix it?",
        # what the words before it say "it" is, no record: as typed
        "hey, I changed my work email - how do I update it in my profile settings?",
        "close pls",
    ]:
        assert resolve(request, [], KINDS, acts=ACTS).question is None, request


def test_a_correction_sets_the_record_it_replaces_aside() -> None:
    # "what's the status of the newer one?", "no, the older invoice, sorry" (rewritten to the
    # same question of INV-1012): the older invoice replaces the newer, so "refund it" is
    # INV-1012; the same question asked of another record ("and INV-1012?") leaves both.
    asked = [
        turn(1, "INV-1012 and INV-1153, how much were they?"),
        turn(2, "what's the status of INV-1153?"),
        {**turn(3, "what's the status of INV-1012?"), "typed": "no, the older invoice, sorry"},
    ]
    out = resolve("refund it in full", asked, KINDS, acts=ACTS)
    assert out.question is None and [r.entity for r in out.resolutions] == ["INV-1012"]
    echoed = [*asked[:2], {**asked[2], "typed": "and the older one?"}]
    out = resolve("refund it in full", echoed, KINDS, acts=ACTS)
    assert out.question is not None and out.resolutions == []


def test_it_beside_another_customer_named_is_never_the_earlier_customers_record() -> None:
    # "status of TCK-1001?" (Maria's), "CUS-1005 had the same issue, close it too": "it" is a
    # ticket of Sofia's, not Maria's TCK-1001, so which one is asked; nothing is closed.
    facts = {
        "TCK-1001": RecordFacts("TCK-1001", "CUS-1001", "Cannot log in after password reset"),
        "CUS-1005": RecordFacts("CUS-1005", None, "Sofia Rossi Rossi & Figli pro active"),
    }
    history = [turn(1, "status of TCK-1001?")]
    out = resolve("CUS-1005 had the same issue, close it too", history, KINDS, facts.get, ACTS)
    assert out.question is not None and "TCK-1001" not in out.question
    # Her own record, or a message about it (no act on the ticket), reads "it" as before.
    for request in ["CUS-1001 called, close it", "email CUS-1005 about it"]:
        out = resolve(request, history, KINDS, facts.get, ACTS)
        assert out.question is None and "TCK-1001" in out.text, request


def test_it_joined_to_a_record_the_request_names_is_the_threads_record() -> None:
    # "status of TCK-1001?", "close it and TCK-1058 too": both, where "it" was left for the
    # planner (which closed TCK-1058 only).
    history = [turn(1, "status of TCK-1001?")]
    for request in ["close it and TCK-1058 too", "close TCK-1058 and that one"]:
        out = resolve(request, history, KINDS, acts=ACTS)
        assert out.question is None and [r.entity for r in out.resolutions] == ["TCK-1001"]
        assert "TCK-1001" in out.text and "TCK-1058" in out.text
    # "it" not joined to the id is the id's own ("TCK-1058 is fixed, close it").
    out = resolve("TCK-1058 is fixed, close it", history, KINDS, acts=ACTS)
    assert out.text == "TCK-1058 is fixed, close TCK-1058"
    assert [(r.entity, r.tie) for r in out.resolutions] == [
        ("TCK-1058", "named before it in this request")
    ]
