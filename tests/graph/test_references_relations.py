"""Follow-ups that reach a record through a relation or an answer: "the Ito account" among the
people an answer listed, "the customer's other outstanding invoice", "and for March?" about the
same person, and "close them" after an answer listed one person's tickets."""

from __future__ import annotations

from ringmaster.graph.references import (
    RecordFacts,
    acts_from_tools,
    resolve,
    turn_entities,
)
from tests.graph.references_kit import KINDS, catalogue, customer, entities, facts, turn

ACTS = acts_from_tools(
    [
        ("update_ticket", ["ticket_id", "status", "priority", "note"]),
        ("close_ticket", ["ticket_id", "resolution"]),
        ("issue_refund", ["invoice_id", "amount", "reason"]),
        ("apply_credit", ["customer_id", "amount", "reason"]),
    ],
    KINDS,
    ["customer_id", "ticket_id", "invoice_id", "status"],
)
# As the demo lookup describes them (an unpaid invoice is also "outstanding").
FACTS = {
    "CUS-1020": RecordFacts("CUS-1020", words="Rafael Ito Ito Health business active"),
    "CUS-1030": RecordFacts("CUS-1030", words="Tariq Brennan Brennan Digital business active"),
    "INV-1207": RecordFacts("INV-1207", "CUS-1020", "unpaid 2025-06 June Rafael Ito Ito Health"),
    "INV-1216": RecordFacts("INV-1216", "CUS-1030", "unpaid 2025-06 June Tariq Brennan"),
    "CUS-1037": RecordFacts(
        "CUS-1037",
        words="Greta Fischer Fischer Co pro active",
        owns=("INV-1176", "INV-1129", "INV-1223"),
    ),
    "INV-1176": RecordFacts("INV-1176", "CUS-1037", "paid 2025-05 May"),
    "INV-1129": RecordFacts("INV-1129", "CUS-1037", "unpaid 2025-04 April outstanding overdue"),
    "INV-1223": RecordFacts("INV-1223", "CUS-1037", "unpaid 2025-06 June outstanding overdue"),
    "CUS-1012": RecordFacts("CUS-1012", words="Olivia Novak Novak Co business active"),
    "CUS-1024": RecordFacts("CUS-1024", words="Tariq Castillo Castillo Labs business active"),
}


def lookup(entity: str) -> RecordFacts | None:
    return FACTS.get(entity)


def test_a_person_by_their_records_words_among_the_people_an_answer_listed() -> None:
    history = [
        turn(1, "Who are INV-1207 and INV-1216 billed to?", "INV-1207 CUS-1020 INV-1216 CUS-1030")
    ]
    out = resolve("credit the Ito account $15", history, KINDS, lookup, ACTS)
    assert out.question is None and out.text == "credit CUS-1020 $15"
    assert entities(out) == ["CUS-1020"]
    # "the Ito one" may be the invoice of Ito's the turn named: records come first there.
    out = resolve("what month is the Ito one for", history, KINDS, lookup, ACTS)
    assert entities(out) == ["INV-1207"]
    # Then "the other customer" is the one the answer listed that the last turn did not use.
    history.append(turn(2, "credit CUS-1020 $15"))
    out = resolve("same for the other customer", history, KINDS, lookup, ACTS)
    assert "CUS-1030" in out.text and entities(out) == ["CUS-1030"]


def test_a_description_that_fits_both_people_an_answer_listed_is_left_alone() -> None:
    history = [
        turn(1, "Who are INV-1207 and INV-1216 billed to?", "INV-1207 CUS-1020 INV-1216 CUS-1030")
    ]
    out = resolve("credit the business account $15", history, KINDS, lookup, ACTS)
    assert "CUS-1020" not in entities(out) and "CUS-1030" not in entities(out)


def test_the_customers_other_outstanding_invoice() -> None:
    history = [turn(1, "Kindly confirm whether INV-1129 has been settled.")]
    out = resolve("And the customer's other outstanding invoice?", history, KINDS, lookup, ACTS)
    assert out.question is None and entities(out) == ["INV-1223"]
    assert "INV-1223" in out.text and "INV-1129" not in out.text


def test_and_for_another_month_asks_the_last_request_of_the_same_person_again() -> None:
    history = [turn(1, "What did Olivia Novak (CUS-1012) pay in February?")]
    out = resolve("and for March?", history, KINDS, lookup, ACTS)
    assert out.text == "What did Olivia Novak (CUS-1012) pay in March?"
    assert entities(out) == ["CUS-1012"]
    # A record named with its month is that month's: "and June?" is not it again.
    history = [turn(1, "refund INV-1129, the April one")]
    out = resolve("and June?", history, KINDS, lookup, ACTS)
    assert out.resolutions == [] and "INV-1129" not in out.text
    # No month in the last request: nothing to swap.
    history = [turn(1, "what plan is CUS-1012 on")]
    out = resolve("and for March?", history, KINDS, lookup, ACTS)
    assert out.resolutions == []


def test_and_for_another_month_after_a_person_named_by_full_name() -> None:
    # Named by full name, with no id: the catalog says who, as for "give her a credit" next.
    named, records = catalogue(facts(customer("CUS-1021", "Zoe Jansen", "Jansen Works pro")))
    history = [turn(1, "What was Zoe Jansen billed in April?")]
    out = resolve("And in May?", history, KINDS, named, ACTS, records)
    assert out.text == "What was Zoe Jansen billed in May?"
    assert entities(out) == ["CUS-1021"]


def test_close_them_after_an_answer_listed_a_persons_tickets_is_the_tickets() -> None:
    history = [turn(1, "any open tickets for CUS-1024?", "TCK-1019 TCK-1133 TCK-1145")]
    out = resolve("close them", history, KINDS, lookup, ACTS)
    assert out.text == "close TCK-1019 and TCK-1133 and TCK-1145"
    assert entities(out) == ["TCK-1019", "TCK-1133", "TCK-1145"]
    # Spoken to, "them" is the person.
    out = resolve("email them", history, KINDS, lookup, ACTS)
    assert entities(out) == ["CUS-1024"]
    # A credit is what the team gives customers: "credit them" is the person too.
    out = resolve("credit them $5", history, KINDS, lookup, ACTS)
    assert entities(out) == ["CUS-1024"]
    # "they" that does something is the person, whatever else the request closes.
    history = [turn(1, "any open tickets for CUS-1020?", "TCK-1078")]
    out = resolve("close it, they rotated the key", history, KINDS, lookup, ACTS)
    assert out.text == "close TCK-1078, CUS-1020 rotated the key"


def test_a_reply_picks_the_record_even_when_the_question_said_other() -> None:
    # "the customer's other ticket" with two others: asked; the reply's pick is the answer,
    # not the ticket left over once the pick is in the thread.
    facts = {
        "CUS-1024": RecordFacts(
            "CUS-1024", words="Tariq Castillo", owns=("TCK-1019", "TCK-1133", "TCK-1145")
        ),
        "TCK-1019": RecordFacts("TCK-1019", "CUS-1024", "Dashboard loads slowly open"),
        "TCK-1133": RecordFacts("TCK-1133", "CUS-1024", "Mobile app crashes on start open"),
        "TCK-1145": RecordFacts("TCK-1145", "CUS-1024", "Need to add more seats open"),
    }
    history = [turn(1, "TCK-1133 - still crashing?", "CUS-1024")]
    asked = "and the customer's other ticket?"
    out = resolve(asked, history, KINDS, facts.get, ACTS)
    assert out.question is not None and "TCK-1019" in out.question and "TCK-1145" in out.question
    history.append(
        {
            "turn": 2,
            "request": asked,
            "entities": turn_entities(
                KINDS, asked, {"t1": {"description": f"{asked} (asked: {out.question})"}}
            ),
        }
    )
    reply = resolve("the one about adding seats", history, KINDS, facts.get, ACTS)
    assert reply.answers == 2 and entities(reply) == ["TCK-1145"]
    assert "TCK-1145" in reply.text and "TCK-1019" not in reply.text


def test_that_as_the_subject_of_a_question_about_a_records_state() -> None:
    history = [
        turn(1, "what's CUS-1004's latest ticket about?"),
        turn(2, "what is TCK-1100 about?"),
    ]
    for request in ("has that been closed off?", "is that still open", "was that escalated?"):
        out = resolve(request, history, KINDS, lookup, ACTS)
        assert entities(out) == ["TCK-1100"], request
        assert "TCK-1100" in out.text, request
    for request in ("is that right?", "Is that all?", "that's great, thanks", "has that changed?"):
        out = resolve(request, history, KINDS, lookup, ACTS)
        assert out.resolutions == [] and out.text == request, request


def test_her_other_invoice_and_her_invoice_beside_her_id_are_hers() -> None:
    # "her other … invoice" is the one of hers the thread has not named, as "the customer's
    # other outstanding invoice" is.
    history = [turn(1, "Kindly confirm whether INV-1129 has been settled.")]
    out = resolve("and her other outstanding invoice?", history, KINDS, lookup, ACTS)
    assert out.question is None and entities(out) == ["INV-1223"]
    # "her" beside the one customer the request names is hers, never a record of the thread's:
    # with two of hers unpaid, which one is asked.
    history = [turn(1, "how much is INV-1207?")]
    out = resolve("CUS-1037 rang about her unpaid invoice, refund it", history, KINDS, lookup, ACTS)
    assert out.question is not None and "INV-1207" not in out.question
    assert "INV-1129" in out.question and "INV-1223" in out.question
    # An id after the noun says which of hers: nothing is asked.
    for request in [
        "tell CUS-1037 her invoice INV-1129 is overdue",
        "refund CUS-1037's bill INV-1129",
    ]:
        out = resolve(request, history, KINDS, lookup, ACTS)
        assert out.question is None, request


def test_her_before_a_word_and_a_records_noun_owns_the_record() -> None:
    # dev10 r19: "her May invoice" read "May" as the verb "may" and left "CUS-1037 May invoice".
    history = [turn(1, "unpaid invoices for Greta Fischer CUS-1037?")]
    out = resolve(
        "Also her May invoice may be refunded, she paid twice.", history, KINDS, lookup, ACTS
    )
    assert out.question is None and set(entities(out)) == {"INV-1176", "CUS-1037"}
    assert "INV-1176" in out.text
    # "give her the invoice": "her" is whom it goes to.
    out = resolve("email her the invoice", [turn(1, "who is CUS-1037?")], KINDS, lookup, ACTS)
    assert "CUS-1037's" not in out.text
