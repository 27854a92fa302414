"""A change asked by the value it is to take ("bump em to urgent", "move that one to
enterprise") is of the kind of record that value describes in the catalog, whatever its verb:
some ticket is urgent, some customer is on the enterprise plan. "em" after a person's tickets
were listed is the tickets; "that one" after a plan question answered with invoices is the
person, not one of the invoices."""

from __future__ import annotations

from ringmaster.graph.references import RecordFacts, resolve
from tests.graph.references_kit import (
    ACTS,
    KINDS,
    catalogue,
    customer,
    entities,
    facts,
    invoice,
    turn,
)

FACTS = facts(
    customer("CUS-1020", "Rafael Ito", "Ito Health pro active", owns=("TCK-1078", "INV-1207")),
    customer("CUS-1024", "Tariq Castillo", "Castillo Labs business active",
             owns=("TCK-1133", "TCK-1145", "INV-1163", "INV-1210")),
    customer("CUS-1040", "Felix Rahman", "Rahman Health enterprise active"),
    RecordFacts("TCK-1078", "CUS-1020", "How do I rotate an API key? open normal"),
    RecordFacts("TCK-1133", "CUS-1024", "Mobile app crashes on start open high"),
    RecordFacts("TCK-1145", "CUS-1024", "Need to add more seats open normal"),
    RecordFacts("TCK-1126", "CUS-1031", "API returns 502 errors open urgent"),
    invoice("INV-1207", "CUS-1020", "unpaid", "2025-06"),
    invoice("INV-1163", "CUS-1024", "paid", "2025-05"),
    invoice("INV-1210", "CUS-1024", "unpaid", "2025-06"),
)  # fmt: skip
LOOKUP, RECORDS = catalogue(FACTS)


def test_em_set_to_a_ticket_value_are_the_tickets_listed() -> None:
    one = [turn(1, "what tickets has Rafael Ito got open? CUS-1020", "TCK-1078")]
    out = resolve("righto, bump em to urgent", one, KINDS, LOOKUP, ACTS, RECORDS)
    assert out.question is None and entities(out) == ["TCK-1078"]
    two = [turn(1, "what tickets does CUS-1024 have open?", "TCK-1133 TCK-1145")]
    out = resolve("bump em to urgent", two, KINDS, LOOKUP, ACTS, RECORDS)
    assert out.question is None and sorted(entities(out)) == ["TCK-1133", "TCK-1145"]
    # A value only people take, or a message, is to the person.
    for said in ("bump em to enterprise", "email em"):
        out = resolve(said, two, KINDS, LOOKUP, ACTS, RECORDS)
        assert out.question is None and entities(out) == ["CUS-1024"], said


def test_that_one_set_to_a_plan_is_the_person_not_an_invoice_listed() -> None:
    history = [turn(1, "plan for CUS-1024?", "INV-1163 INV-1210")]
    out = resolve("move that one to enterprise", history, KINDS, LOOKUP, ACTS, RECORDS)
    assert out.question is None and entities(out) == ["CUS-1024"]
    # A value the invoices take is theirs, asked among them.
    out = resolve("mark that one to paid", history, KINDS, LOOKUP, ACTS, RECORDS)
    assert out.question is not None and "INV-1163" in out.question
