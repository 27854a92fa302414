"""A person of the thread picked by "the … one" when no turn named them by id: the people a
request named by full name, and the people an answer listed where no other record of that turn
fits the words."""

from __future__ import annotations

from ringmaster.graph.references import RecordFacts, resolve
from tests.graph.references_kit import ACTS, customer, facts
from tests.graph.test_references_described import FACTS, KINDS
from tests.graph.test_references_followups import ids, turn

# As tools/demo/lookup.py answers: a customer's title is their name, an invoice carries it.
RECORDS = {
    **FACTS,
    **facts(
        customer("CUS-1001", "Maria Lopez", "Lopez Design Studio pro active", ["INV-1189"]),
        customer("CUS-1003", "Aisha Khan", "Khan Bakery starter active", ["INV-1191"]),
        customer("CUS-1031", "Ben Garcia", "Garcia Group"),
        customer("CUS-1032", "Olivia Garcia", "Garcia Partners"),
    ),
    "INV-1191": RecordFacts(
        "INV-1191", "CUS-1003", "unpaid 2025-06 USD June Jun 2025 Aisha Khan Khan Bakery"
    ),
}


def lookup(entity: str) -> RecordFacts | None:
    return RECORDS.get(entity)


def records(prefix: str) -> list[str]:
    return [e for e in RECORDS if e.startswith(prefix + "-")]


def test_the_one_by_surname_is_a_person_the_request_named_in_full() -> None:
    history = [
        turn(1, "pull up Maria Lopez and Aisha Khan", touched="CUS-1001 CUS-1003 INV-1189 INV-1191")
    ]
    out = resolve("which plan is the Khan one on?", history, KINDS, lookup, ACTS, records)
    assert out.question is None and ids(out) == {"CUS-1003"}
    out = resolve("is the Lopez one on the pro plan?", history, KINDS, lookup, ACTS, records)
    assert out.question is None and ids(out) == {"CUS-1001"}
    # What a record of theirs the turn listed has ("paid", a refund) is that record.
    for request in ("refund the Lopez one", "is the Lopez one paid?"):
        out = resolve(request, history, KINDS, lookup, ACTS, records)
        assert ids(out) == {"INV-1189"}
    # A surname both of them have picks neither.
    history = [turn(1, "pull up Ben Garcia and Olivia Garcia", touched="CUS-1031 CUS-1032")]
    out = resolve("which plan is the Garcia one on?", history, KINDS, lookup, ACTS, records)
    assert not ids(out) & {"CUS-1031", "CUS-1032"}


def test_the_one_by_status_is_a_person_the_answer_listed() -> None:
    history = [
        turn(1, "check TCK-1005 and TCK-1037"),
        turn(2, "are the customers on TCK-1005 and TCK-1037 active?", touched="CUS-1008 CUS-1009"),
    ]
    out = resolve("the suspended one, what does he owe?", history, KINDS, lookup)
    assert out.question is None and ids(out) == {"CUS-1008"}
    out = resolve("and the churned one, which plan?", history, KINDS, lookup)
    assert out.question is None and ids(out) == {"CUS-1009"}


def test_a_listed_record_the_words_fit_is_not_its_person() -> None:
    # The listed invoice carries "Lopez" too: "the Lopez one" is not read as the customer.
    history = [turn(1, "any unpaid invoices?", touched="INV-1189 INV-1146 CUS-1001 CUS-1005")]
    out = resolve("refund the Lopez one", history, KINDS, lookup)
    assert "CUS-1001" not in ids(out)
