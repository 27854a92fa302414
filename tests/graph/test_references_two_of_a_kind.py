"""Two records of one kind in the thread: a description that fits both is asked, "they" after
two tickets of one customer is the customer or the tickets by what the request does, a
correction that takes an action back ("don't refund X, credit Y instead") is not planned as
it reads, and records picked by amount, version or number."""

from __future__ import annotations

import sqlite3
from decimal import Decimal
from pathlib import Path

from ringmaster.graph.references import RecordFacts, resolve
from ringmaster.graph.state import Requester
from ringmaster.runner import Runner
from ringmaster.settings import Settings
from tests.graph.test_references_ambiguity import ACTS
from tests.graph.test_references_followups import KINDS, ids, turn

# As tools/demo/lookup.py answers for these records of the demo database.
FACTS = {
    "TCK-1005": RecordFacts("TCK-1005", "CUS-1007", "API returns 502 errors open urgent 5xx"),
    "TCK-1126": RecordFacts("TCK-1126", "CUS-1031", "API returns 502 errors open urgent 5xx"),
    "TCK-1148": RecordFacts("TCK-1148", "CUS-1042", "API returns 502 errors open normal 5xx"),
    "TCK-1043": RecordFacts("TCK-1043", "CUS-1031", "SSO login fails with SAML error pending"),
    "TCK-1092": RecordFacts("TCK-1092", "CUS-1032", "Question about my latest invoice pending"),
    "TCK-1102": RecordFacts("TCK-1102", "CUS-1032", "Dashboard loads slowly open normal"),
    "TCK-1130": RecordFacts("TCK-1130", "CUS-1008", "Invite email never arrived pending"),
    "TCK-1133": RecordFacts("TCK-1133", "CUS-1024", "Mobile app crashes on start open high"),
    "TCK-1001": RecordFacts("TCK-1001", "CUS-1001", "Cannot log in after password reset open"),
    "TCK-1058": RecordFacts("TCK-1058", "CUS-1001", "Two-factor code not arriving open"),
    "CUS-1001": RecordFacts(
        "CUS-1001", None, "Maria Lopez Lopez Design Studio pro", owns=("TCK-1001", "TCK-1058")
    ),
    "CUS-1032": RecordFacts("CUS-1032", None, "Olivia Garcia Garcia Partners pro active"),
    "INV-1142": RecordFacts(
        "INV-1142", "CUS-1001", "paid 2025-05 USD May 99 99.00", amount=Decimal("99")
    ),
    "INV-1144": RecordFacts(
        "INV-1144", "CUS-1003", "paid 2025-05 USD May 29 29.00", amount=Decimal("29")
    ),
    "INV-1162": RecordFacts(
        "INV-1162", "CUS-1023", "paid 2025-05 USD May 1244 1244.00", amount=Decimal("1244")
    ),
    "INV-1209": RecordFacts(
        "INV-1209", "CUS-1023", "paid 2025-06 USD June 999 999.00", amount=Decimal("999")
    ),
    "DEP-1022": RecordFacts("DEP-1022", None, "web production 3.8.0 failed release May"),
    "DEP-1028": RecordFacts("DEP-1028", None, "web production 3.8.1 succeeded release June"),
}


def lookup(entity: str) -> RecordFacts | None:
    return FACTS.get(entity)


def test_a_description_that_fits_two_records_is_asked_whatever_value_the_request_sets() -> None:
    # TCK-1005 is urgent already, TCK-1148 is not: "to urgent" is what is asked for, not
    # which of the two 502 tickets is meant.
    history = [turn(1, "tck-1005 n tck-1148 r both 502s")]
    for request in ["bump the 502 one to urgent", "the 502 one, bump it to urgent"]:
        out = resolve(request, history, KINDS, lookup, ACTS)
        assert out.question is not None and out.resolutions == [], request
        assert "TCK-1005" in out.question and "TCK-1148" in out.question
    # A word beside the description that describes the record still tells them apart.
    out = resolve("close the urgent 502 one", history, KINDS, lookup, ACTS)
    assert ids(out) == {"TCK-1005"}


def test_they_after_two_tickets_of_one_customer_is_the_customer_or_the_tickets() -> None:
    history = [turn(1, "who opened TCK-1092 and TCK-1102?", touched="CUS-1032")]
    # The team changes a customer's plan and emails a person: the one customer.
    assert resolve("what plan are they on", history, KINDS, lookup, ACTS).text == (
        "what plan is CUS-1032 on"
    )
    out = resolve("email them that both are being worked on", history, KINDS, lookup, ACTS)
    assert ids(out) == {"CUS-1032"}
    # Closing, or a ticket's status, is the tickets'.
    assert resolve("close them", history, KINDS, lookup, ACTS).text == (
        "close TCK-1092 and TCK-1102"
    )
    assert ids(resolve("are they still open?", history, KINDS, lookup, ACTS)) == {
        "TCK-1092",
        "TCK-1102",
    }
    # "them both" is the tickets, "her" their customer.
    out = resolve("close them both please, I spoke with her", history, KINDS, lookup, ACTS)
    assert out.text == "close TCK-1092 and TCK-1102 both please, I spoke with CUS-1032"
    # Two customers' tickets: "email them" is each customer, never the tickets.
    two = [turn(1, "who opened TCK-1130 and TCK-1133?", touched="CUS-1008 CUS-1024")]
    assert ids(resolve("email them", two, KINDS, lookup, ACTS)) == {"CUS-1008", "CUS-1024"}


def test_they_over_two_customers_tickets_after_one_of_them_is_asked() -> None:
    # Found by benchmarks/ambiguity_mutations.py: after a turn about CUS-1008, "give them a
    # credit" over two customers' tickets may be her (singular they) or both owners; it
    # credited both. Asked, as "them" is after two customers named outright.
    history = [
        turn(1, "what plan is CUS-1008 on?"),
        turn(2, "who opened TCK-1130 and TCK-1133?", touched="CUS-1008 CUS-1024"),
    ]
    for request in ("give them a 20 dollar credit", "email them"):
        out = resolve(request, history, KINDS, lookup, ACTS)
        assert out.question is not None and not out.resolutions, request
        assert "CUS-1008" in out.question and "CUS-1024" in out.question
    # With no turn about one of them before, "them" is both owners, as above.
    out = resolve("give them a 20 dollar credit", history[1:], KINDS, lookup, ACTS)
    assert ids(out) == {"CUS-1008", "CUS-1024"}


def test_both_is_two_records_not_what_a_later_answer_listed() -> None:
    history = [
        turn(1, "who opened TCK-1092 and TCK-1102?", touched="CUS-1032"),
        turn(2, "what plan is CUS-1032 on", touched="INV-1030 INV-1077 INV-1124 INV-1171"),
    ]
    out = resolve("set both to high", history, KINDS, lookup, ACTS)
    assert ids(out) == {"TCK-1092", "TCK-1102"}
    out = resolve("close them both, I spoke with her", history, KINDS, lookup, ACTS)
    assert out.text == "close TCK-1092 and TCK-1102 both, I spoke with CUS-1032"
    # "em" is "them" typed fast.
    out = resolve("bump em to high", [turn(1, "TCK-1001 + TCK-1058")], KINDS, lookup, ACTS)
    assert out.text == "bump TCK-1001 and TCK-1058 to high"


def test_a_clause_taken_back_is_left_out_of_the_request() -> None:
    from ringmaster.graph.references.swaps import taken_back

    assert taken_back("Don't refund INV-1144, give CUS-1003 a $29 credit instead.") == (
        "give CUS-1003 a $29 credit.",
        ("Don't refund INV-1144",),
    )
    assert taken_back("credit CUS-1001 instead of refunding INV-1142") == (
        "credit CUS-1001",
        ("instead of refunding INV-1142",),
    )
    assert taken_back("Instead of a refund, give her a credit.")[0] == "give her a credit."
    # Nothing takes back: left as it is.
    for text in ["close TCK-1001 but not TCK-1003", "don't forget to close TCK-1001, and email"]:
        assert taken_back(text) == (text, ())
    # Through the resolver: "it" is still the invoice the clause meant, but no refund is asked.
    history = [turn(1, "what's the status of INV-1142")]
    out = resolve("don't refund it, credit CUS-1001 $99 instead", history, KINDS, lookup, ACTS)
    assert out.text == "credit CUS-1001 $99" and out.dropped == ("don't refund INV-1142",)
    assert ids(out) == {"INV-1142"}


def test_records_picked_by_amount_version_or_number() -> None:
    two = [turn(1, "I have two invoice, INV-1162 and INV-1209, why so different?")]
    out = resolve("The big one, for what month is it?", two, KINDS, lookup, ACTS)
    assert ids(out) == {"INV-1162"}
    # Having singled it out of the two, "it" is that one, and a refund on it is not asked.
    picked = [*two, turn(2, out.text)]
    assert resolve("refund 245 dollars on it", picked, KINDS, lookup, ACTS).text == (
        "refund 245 dollars on INV-1162"
    )
    invoices = [turn(1, "INV-1142 n INV-1144, both paid?")]
    assert ids(resolve("refund the 29 one", invoices, KINDS, lookup, ACTS)) == {"INV-1144"}
    question = {"request": "roll back it", "options": [["deployment", "DEP-1022"]]}
    question["options"].append(["deployment", "DEP-1028"])
    asked = {"turn": 2, "request": "roll back it", "entities": {"named": [], "question": question}}
    deploys = [turn(1, "web deploys DEP-1022 and DEP-1028?"), asked]
    assert ids(resolve("The 3.8.1", deploys, KINDS, lookup, ACTS)) == {"DEP-1028"}
    question = {"request": "close it", "options": [["ticket", "TCK-1005"], ["ticket", "TCK-1148"]]}
    asked = {"turn": 2, "request": "close it", "entities": {"named": [], "question": question}}
    tickets = [turn(1, "tck-1005 n tck-1148"), asked]
    assert resolve("1148", tickets, KINDS, lookup, ACTS).text == "close TCK-1148"


def test_the_other_is_the_persons_other_open_record_when_no_answer_listed_them() -> None:
    history = [turn(1, "open tix for CUS-1001?"), turn(2, "close TCK-1058")]
    out = resolve("same w the other", history, KINDS, lookup, ACTS)
    assert out.text == "close TCK-1001" and ids(out) == {"TCK-1001"}


def test_a_description_that_fits_two_is_never_acted_on_in_the_graph(tmp_path: Path) -> None:
    with Runner(Settings(home=tmp_path)) as runner:
        ann = Requester(id="ann", scopes=runner.default_scopes())
        first = runner.submit("pull up TCK-1005 and TCK-1148", requester=ann)
        second = runner.submit(
            "the 502 one, bump it to urgent", thread_id=first.thread_id, requester=ann
        )
        events = [e for e in runner.audit.for_thread(first.thread_id) if e.kind == "references"]
    assert second.plan is not None
    assert [s["agent"] for s in second.plan["subtasks"]] in ([None], [])
    assert "TCK-1005 or TCK-1148" in str(events[-1].data["question"])
    with sqlite3.connect(tmp_path / "demo-company.db") as conn:
        priority = conn.execute("SELECT priority FROM tickets WHERE id = 'TCK-1148'").fetchone()
    assert priority == ("normal",)


def test_dont_refund_credit_instead_credits_and_never_refunds_in_the_graph(
    tmp_path: Path,
) -> None:
    with Runner(Settings(home=tmp_path)) as runner:
        ann = Requester(id="ann", scopes=runner.default_scopes())
        first = runner.submit("what's the status of INV-1144?", requester=ann)
        second = runner.submit(
            "Don't refund it, give CUS-1003 a $29 credit instead.",
            thread_id=first.thread_id,
            requester=ann,
        )
        events = [e for e in runner.audit.for_thread(first.thread_id) if e.kind == "references"]
    assert second.plan is not None
    [subtask] = second.plan["subtasks"]
    assert subtask["agent"] == "billing"
    assert 'taken back: "Don\'t refund INV-1144"' in subtask["rationale"]
    assert events[-1].data["dropped"] == ["Don't refund INV-1144"]
    with sqlite3.connect(tmp_path / "demo-company.db") as conn:
        refunds = conn.execute("SELECT COUNT(*) FROM refunds WHERE invoice_id = 'INV-1144'")
        credits = conn.execute("SELECT amount_cents FROM credits WHERE customer_id = 'CUS-1003'")
        assert refunds.fetchone() == (0,)
        assert credits.fetchall() == [(2900,)]


def test_they_after_one_of_two_records_was_picked_is_their_owner_not_both() -> None:
    # "check TCK-1043 and TCK-1126" (both Ben Garcia's), "close the SAML one, the IdP config
    # was fixed on their side": the SAML ticket is closed, and "their" is its customer's, not
    # both tickets' (which named the other ticket as closed too).
    history = [turn(1, "set TCK-1043 and TCK-1126 to urgent please")]
    out = resolve(
        "close the SAML one, the IdP config was fixed on their side", history, KINDS, lookup
    )
    assert out.question is None
    assert out.text == "close TCK-1043, the IdP config was fixed on CUS-1031's side"
    assert ids(out) == {"TCK-1043", "CUS-1031"}


def test_both_customers_after_two_tickets_is_the_tickets_customers() -> None:
    # "both custs" after a ticket per turn: the two tickets' customers, not nothing.
    history = [turn(1, "add note to TCK-1092: invoice pdf missing"), turn(2, "close TCK-1133")]
    for request in ["plan for both custs?", "n email both customers"]:
        out = resolve(request, history, KINDS, lookup, ACTS)
        assert out.question is None and ids(out) == {"CUS-1032", "CUS-1024"}, request
    # Two tickets of one customer are one customer: "both customers" is asked, never guessed.
    one = [turn(1, "close TCK-1092"), turn(2, "and TCK-1102 too")]
    out = resolve("email both custs", one, KINDS, lookup, ACTS)
    assert out.resolutions == [] and out.question is not None


def test_a_terse_description_without_the_picks_the_record_it_fits() -> None:
    # "sso one status?" is "the SSO one" typed fast, then "the other one" is the 502 ticket.
    history = [turn(1, "CUS-1031 tix", touched="TCK-1043 TCK-1126")]
    out = resolve("sso one status?", history, KINDS, lookup, ACTS)
    assert out.question is None and out.text == "TCK-1043 status?"
    # Words no record fits, or that describe nothing, are left as typed and never asked.
    assert resolve("and sso one?", history, KINDS, lookup, ACTS).text == "and TCK-1043?"
    for request in ["which one is older?", "purple one status?"]:
        out = resolve(request, history, KINDS, lookup, ACTS)
        assert out.question is None and out.resolutions == [], request


def test_on_its_way_is_no_record() -> None:
    history = [turn(1, "prepare a data export for CUS-1010", touched="DOC-1022")]
    out = resolve("let him know the export is on its way", history, KINDS, lookup, ACTS)
    assert out.text == "let CUS-1010 know the export is on its way"


def test_their_after_both_customers_is_the_two_customers() -> None:
    history = [turn(1, "close TCK-1092"), turn(2, "close TCK-1133 the same way")]
    out = resolve("notify both customers that their tickets are closed", history, KINDS, lookup)
    assert ids(out) == {"CUS-1032", "CUS-1024"} and out.question is None


def test_a_repeat_for_another_record_sends_to_that_records_customer() -> None:
    # INV-1142 is CUS-1001's, INV-1144 CUS-1003's: the reminder goes to CUS-1003, never CUS-1001.
    history = [turn(1, "send CUS-1001 a payment reminder for INV-1142")]
    out = resolve("Could you do the same for INV-1144, please?", history, KINDS, lookup, ACTS)
    assert out.text == "send CUS-1003 a payment reminder for INV-1144"
    assert ids(out) == {"INV-1144", "CUS-1003"}
    # A person the record does not belong to is left as typed ("cc CUS-1005 on it").
    history = [turn(1, "send CUS-1005 a copy of INV-1142")]
    out = resolve("same for INV-1144", history, KINDS, lookup, ACTS)
    assert out.text == "send CUS-1005 a copy of INV-1144"


def test_them_over_two_owners_after_an_answer_about_one_of_them_is_asked() -> None:
    # Found by benchmarks/ambiguity_mutations.py (`owners`, dev d09:4): the turn before the
    # two tickets was about one of their customers through its answer ("who's the customer on
    # it?"), not by name; "give them a credit" may be that one (singular they) or both owners.
    # It credited both.
    history = [
        turn(1, "what's TCK-1133 about?"),
        turn(2, "who's the customer on TCK-1133?", touched="CUS-1024"),
        turn(3, "pull up TCK-1130 and TCK-1133", touched="CUS-1008 CUS-1024"),
    ]
    for request in ("give them a 20 dollar credit", "email them that we're on it"):
        out = resolve(request, history, KINDS, lookup, ACTS)
        assert out.question is not None and not out.resolutions, request
        assert "CUS-1008" in out.question and "CUS-1024" in out.question
    # "each" says both; and the turn before about neither of them leaves "them" both owners.
    out = resolve("give them a 20 dollar credit each", history, KINDS, lookup, ACTS)
    assert {"CUS-1008", "CUS-1024"} <= ids(out)
    other = [turn(1, "what's TCK-1092 about?"), *history[2:]]
    assert ids(resolve("email them", other, KINDS, lookup, ACTS)) == {"CUS-1008", "CUS-1024"}


def test_an_act_that_fits_one_kind_picks_it_when_the_team_acts_on_the_other_by_id() -> None:
    # Over-asked (`control-act`): "roll it back" after a deployment and a ticket asked which
    # of the two, as a rollback takes a service, not the deployment's id. Only a deployment is
    # rolled back, and the team's acts on tickets (by id) never are.
    history = [turn(1, "can you look up DEP-1032 and TCK-1034 for me?")]
    out = resolve("roll it back", history, KINDS, lookup, ACTS)
    assert out.question is None and ids(out) == {"DEP-1032"}
    # A kind the team only creates may be what the verb means: still asked.
    history = [turn(1, "can you look up DEP-1032 and INC-1004 for me?")]
    assert resolve("roll it back", history, KINDS, lookup, ACTS).question is not None


def test_an_act_on_it_passes_over_an_answers_record_no_act_of_the_team_touches() -> None:
    # Over-asked (conversation splits): "close it" after an answer that cited a ticket and a
    # help article asked "Which record do you mean: TCK-1129 or DOC-1011?". The person never
    # named the article and no act of the team's touches one: the act can mean only the ticket.
    cited = [turn(1, "does CUS-1047 have a ticket open for this?", touched="TCK-1129 DOC-1011")]
    out = resolve("ok please close it, I unlocked manually", cited, KINDS, lookup, ACTS)
    assert out.question is None and ids(out) == {"TCK-1129"}
    # As the splits had it: a read-only turn between asked which, and its question's options
    # are ringmaster's words, not the person's.
    options = [["ticket", "TCK-1129"], ["document", "DOC-1011"]]
    request = "She have a ticket open for this?"
    question = "Which record do you mean: TCK-1129 or DOC-1011?"
    asked = {
        "turn": 2,
        "request": request,
        "entities": {
            "named": options,
            "touched": [],
            "question": {"request": request, "options": options, "asked": question},
        },
    }
    out = resolve("ok please close it, I unlocked manually", [*cited, asked], KINDS, lookup, ACTS)
    assert out.question is None and ids(out) == {"TCK-1129"}
    for request, record in (("roll it back", "DEP-1032"), ("refund it", "INV-1144")):
        history = [turn(1, "anything on that?", touched=f"{record} DOC-1021")]
        out = resolve(request, history, KINDS, lookup, ACTS)
        assert out.question is None and ids(out) == {record}, request
    # Asking less is never guessing more: two tickets beside the article are still asked.
    history = [turn(1, "anything open?", touched="TCK-1005 TCK-1126 DOC-1011")]
    out = resolve("close it", history, KINDS, lookup, ACTS)
    assert out.question is not None and "TCK-1005" in out.question and "TCK-1126" in out.question
    assert "DOC-1011" not in out.question
    # An article the person named may be what the verb means ("update it"): still asked.
    history = [turn(1, "pull up TCK-1005 and DOC-1011")]
    assert resolve("close it", history, KINDS, lookup, ACTS).question is not None


def test_a_person_left_out_is_the_one_who_owns_the_record_the_request_names() -> None:
    # Over-asked (`control-id`): "open a ticket to track INV-1142" after two customers'
    # invoices asked which customer; the ticket is for the one who owns INV-1142.
    history = [turn(1, "can you look up INV-1142 and INV-1144 for me?")]
    for request in ("open a ticket to track INV-1142", "open a ticket to track the first one"):
        assert resolve(request, history, KINDS, lookup, ACTS).question is None, request
    # Naming no record of theirs, the customer is still asked.
    out = resolve("open a ticket for the customer", history, KINDS, lookup, ACTS)
    assert out.question is not None
    assert "CUS-1001" in out.question and "CUS-1003" in out.question


def test_a_person_named_beside_another_persons_record_leaves_both_in_play() -> None:
    # Found by benchmarks/ambiguity_mutations.py (`act-answer`): "pull up CUS-1032 and
    # TCK-1133", "give her a credit" credited CUS-1032, though TCK-1133's customer came up
    # in the same turn through the ticket's answer. An act on either is asked.
    history = [turn(1, "pull up CUS-1032 and TCK-1133", touched="CUS-1024")]
    for request in ("give her a 20 dollar credit", "email her that we're on it"):
        out = resolve(request, history, KINDS, lookup, ACTS)
        assert out.question is not None and not out.resolutions, request
        assert "CUS-1032" in out.question and "CUS-1024" in out.question
    # A question acts on no one; and a record of her own leaves her the one person.
    assert ids(resolve("what plan is she on", history, KINDS, lookup, ACTS)) == {"CUS-1032"}
    own = [turn(1, "pull up CUS-1032 and TCK-1102")]
    assert ids(resolve("give her a 20 dollar credit", own, KINDS, lookup, ACTS)) == {"CUS-1032"}
