""" "does it have any open tickets?" after a customer whose answer listed a ticket: a ticket has
no tickets, so "it" is the customer; and "do the same for CUS-1009" after the refund of a
customer's invoice asks which of CUS-1009's two invoices (a likeness to the one before is no
reason to refund one); a customer's only invoice takes the refund, marked as not named."""

from __future__ import annotations

from ringmaster.graph.references import RecordFacts, resolve
from tests.graph.references_kit import ACTS, KINDS, asked_turn, catalogue, entities, turn

FACTS = {
    "CUS-1003": RecordFacts(
        "CUS-1003", None, "Aisha Khan Khan Bakery starter active",
        owns=("TCK-1020", "INV-1144", "INV-1191"), title="Aisha Khan", pronouns="she",
    ),
    "TCK-1020": RecordFacts("TCK-1020", "CUS-1003", "oven sensor offline pending"),
    "INV-1144": RecordFacts("INV-1144", "CUS-1003", "paid 2025-05 USD May 2025 29"),
    "INV-1191": RecordFacts("INV-1191", "CUS-1003", "unpaid 2025-06 USD June Jun 2025 29"),
    "CUS-1009": RecordFacts(
        "CUS-1009", None, "Emma Dubois Dubois SARL pro active", owns=("INV-1201", "INV-1202")
    ),
    "INV-1201": RecordFacts("INV-1201", "CUS-1009", "paid 2025-05 USD May 2025 50"),
    "INV-1202": RecordFacts("INV-1202", "CUS-1009", "paid 2025-03 USD March Mar 2025 50"),
    "CUS-1012": RecordFacts(
        "CUS-1012", None, "Omar Said Said Foods pro active", owns=("INV-1401", "INV-1402")
    ),
    "INV-1401": RecordFacts("INV-1401", "CUS-1012", "paid 2025-03 USD March Mar 2025 70"),
    "INV-1402": RecordFacts("INV-1402", "CUS-1012", "paid 2025-04 USD April Apr 2025 70"),
    "CUS-1010": RecordFacts("CUS-1010", None, "Noor Haddad Haddad Tech pro active"),
    "CUS-1011": RecordFacts("CUS-1011", None, "Li Wei Wei Labs pro active", owns=("INV-1301",)),
    "INV-1301": RecordFacts("INV-1301", "CUS-1011", "paid 2025-06 USD June Jun 2025 80"),
}  # fmt: skip
LOOKUP, RECORDS = catalogue(FACTS)
# The answer about the customer listed her one open ticket.
ABOUT_HER = [turn(1, "look up CUS-1003 for me", "TCK-1020")]


def _resolve(request: str, history: list[dict[str, object]]):  # type: ignore[no-untyped-def]
    return resolve(request, history, KINDS, LOOKUP, ACTS, RECORDS)


def test_it_that_owns_records_is_the_customer_not_the_record_listed() -> None:
    for said, text in (
        ("any open tickets does it have?", "any open tickets does CUS-1003 have?"),
        ("does it have other tickets open", "does CUS-1003 have other tickets open"),
        ("what invoices has it got?", "what invoices has CUS-1003 got?"),
        ("list its unpaid invoices", "list CUS-1003's unpaid invoices"),
    ):
        out = _resolve(said, ABOUT_HER)
        assert out.question is None, said
        assert out.text == text
        assert entities(out) == ["CUS-1003"]


def test_it_that_is_the_record_is_still_the_record_listed() -> None:
    out = _resolve("what is it about?", ABOUT_HER)
    assert entities(out) == ["TCK-1020"]
    out = _resolve("is it still pending?", ABOUT_HER)
    assert entities(out) == ["TCK-1020"]


def test_same_for_a_customer_after_a_refund_repeats_the_refund_on_their_counterpart() -> None:
    history = [
        turn(1, "email CUS-1003 that her refund is on its way"),
        turn(2, "refund INV-1144 in full, she cancelled"),
    ]
    out = _resolve("do the same for CUS-1009", history)
    # The last request, the refund, never the email; a refund is not done on Emma's May
    # invoice because Aisha's was May: of her two, she is asked which.
    assert out.question == "Which invoice do you mean: INV-1201 or INV-1202?"
    # Two of his that fit alike are asked; the one named in reply gets the refund.
    out = _resolve("do the same for CUS-1012", history)
    assert out.question == "Which invoice do you mean: INV-1401 or INV-1402?"
    options = [("invoice", "INV-1401"), ("invoice", "INV-1402")]
    asked = [*history, asked_turn(3, "do the same for CUS-1012", options)]
    for reply in ("INV-1402", "the april one"):
        out = _resolve(reply, asked)
        assert (out.text, out.question) == ("refund INV-1402 in full, she cancelled", None)
    # Their one invoice: the refund is on it.
    out = _resolve("same for CUS-1011 please", history)
    assert out.question is None
    assert out.text == "refund INV-1301 in full, she cancelled"
    assert entities(out) == ["CUS-1011", "INV-1301"]
    assert out.inferred() == {
        "INV-1301": "INV-1301 was taken as CUS-1011's invoice; it was not named"
    }


def test_a_pick_for_a_repeat_is_said_to_come_from_the_reply_not_the_turn_repeated() -> None:
    # The rationale says where each id came from: the invoice from the reply to turn 3's
    # question, the customer from the request it asked about, repeating turn 2; never a text
    # the user did not type ("do the same for CUS-1012 (INV-1402)").
    history = [
        turn(1, "email CUS-1003 about it"),
        turn(2, "refund INV-1144 in full, she cancelled"),
    ]
    options = [("invoice", "INV-1401"), ("invoice", "INV-1402")]
    asked = [*history, asked_turn(3, "do the same for CUS-1012", options)]
    out = _resolve("the april one", asked)
    assert (out.text, out.answers) == ("refund INV-1402 in full, she cancelled", 3)
    assert [r.describe() for r in out.resolutions] == [
        "'do the same for CUS-1012' → CUS-1012 (turn 2)",
        "'the april one' → INV-1402 (turn 3)",
    ]


def test_same_for_a_customer_with_no_such_record_is_asked() -> None:
    history = [turn(1, "refund INV-1144 in full, she cancelled")]
    out = _resolve("do the same for CUS-1010", history)
    assert out.question is not None and "invoice" in out.question
