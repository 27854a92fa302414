"""A plural for the records an answer listed: "all of them" after people's tickets pulled up is
the tickets the change takes (the ones the request described), "they" after a listing that
named no record is what it listed, and a later "they" is still those records, not the one the
request typed beside them. And a month's possessive with its noun left out ("May's")."""

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

PEOPLE = facts(
    customer("CUS-1060", "Ines Moreau", "Moreau Bakery active", ("TCK-1160", "TCK-1161"), "she"),
    customer("CUS-1061", "Pavel Novak", "Novak Tools active", ("TCK-1162", "TCK-1163"), "he"),
    RecordFacts("TCK-1160", "CUS-1060", "Dashboard loads slowly open normal Ines Moreau"),
    RecordFacts("TCK-1161", "CUS-1060", "Invoice PDF missing open high Ines Moreau"),
    RecordFacts("TCK-1162", "CUS-1061", "Dashboard timeouts slowly open low Pavel Novak"),
    RecordFacts("TCK-1163", "CUS-1061", "Export fails open urgent Pavel Novak"),
    RecordFacts("ALT-1070", None, "api error rate firing"),
    RecordFacts("ALT-1071", None, "api latency p99 firing"),
    RecordFacts("INC-1080", None, "api outage open"),
)  # fmt: skip
LOOKUP, RECORDS = catalogue(PEOPLE)
PULLED = turn(
    1,
    "Ines Moreau and Pavel Novak say the dashboard is slow. Pull up their dashboard tickets.",
    "CUS-1060 TCK-1160 TCK-1161 CUS-1061 TCK-1162 TCK-1163",
)


def test_all_of_them_set_to_a_ticket_value_is_the_described_tickets() -> None:
    """ "set all of them to high" after two people's dashboard tickets were pulled up: the
    dashboard tickets (a priority is a ticket's), never the two customers nor every ticket
    the answer listed."""
    for request in ("Set all of them to high. Now!", "set both of them to urgent"):
        out = resolve(request, [PULLED], KINDS, LOOKUP, ACTS, RECORDS)
        assert out.question is None, request
        assert sorted(entities(out)) == ["TCK-1160", "TCK-1162"], request


def test_all_of_them_messaged_is_still_the_people() -> None:
    """ "email all of them" after the same turn: a message goes to the customers."""
    out = resolve("email all of them that we're on it", [PULLED], KINDS, LOOKUP, ACTS, RECORDS)
    assert not any(e.startswith("TCK-") for e in entities(out))
    assert out.question is None and sorted(entities(out)) == ["CUS-1060", "CUS-1061"]


LISTED = turn(1, "Any firing alerts on api?", "ALT-1070 ALT-1071")


def test_they_after_a_listing_that_named_nothing_is_what_it_listed() -> None:
    """ "are they related to INC-1080?" after "any firing alerts on api?": the two alerts."""
    out = resolve("Are they related to INC-1080?", [LISTED], KINDS, LOOKUP, ACTS, RECORDS)
    assert out.question is None
    assert sorted(entities(out)) == ["ALT-1070", "ALT-1071"]
    assert "INC-1080" in out.text


def test_they_again_is_the_records_they_stood_for_not_the_typed_one() -> None:
    """Then "how long have they been firing?": the alerts, not the incident typed beside."""
    second = turn(2, "Are ALT-1070 and ALT-1071 related to INC-1080?")
    second["typed"] = "Are they related to INC-1080?"
    out = resolve("How long have they been firing?", [LISTED, second], KINDS, LOOKUP, ACTS, RECORDS)
    assert out.question is None
    assert sorted(entities(out)) == ["ALT-1070", "ALT-1071"]


def test_both_of_them_messaged_after_two_tickets_is_their_customers() -> None:
    """ "email both of them that we got the logs" after "who are the customers on TCK-1160
    and TCK-1162?": the two customers, never the tickets a message cannot go to."""
    asked = turn(1, "Who are the customers on TCK-1160 and TCK-1162?", "CUS-1060 CUS-1061")
    for request in ("Email both of them that we got the logs.", "let both of them know"):
        out = resolve(request, [asked], KINDS, LOOKUP, ACTS, RECORDS)
        assert out.question is None, request
        assert sorted(entities(out)) == ["CUS-1060", "CUS-1061"], request
    out = resolve("close both of them", [asked], KINDS, LOOKUP, ACTS, RECORDS)
    assert sorted(entities(out)) == ["TCK-1160", "TCK-1162"]


def test_a_months_possessive_is_her_record_of_that_month() -> None:
    """ "and how much was May's?" after her June invoice: her May invoice, not the June one
    still in play."""
    lookup, records = catalogue(
        facts(
            customer(
                "CUS-1095", "Olivia Hale", "Hale Farms active", ("INV-1350", "INV-1351"), "she"
            ),
            invoice("INV-1350", "CUS-1095", "paid", "2025-05"),
            invoice("INV-1351", "CUS-1095", "unpaid", "2025-06"),
        )
    )
    history = [
        turn(1, "Is Olivia Hale's June invoice paid?", "CUS-1095 INV-1351"),
        turn(2, "Send CUS-1095 a reminder for INV-1351."),
    ]
    for request in ("And how much was May's? It had better not be higher!", "and May's too"):
        out = resolve(request, history, KINDS, lookup, ACTS, records)
        assert out.question is None, request
        assert entities(out)[:1] == ["INV-1350"], request


HIS_THREE = ("TCK-1190", "TCK-1191", "TCK-1192")
HIS_TWO_AND_JUNE = ("TCK-1190", "TCK-1192", "INV-1390")


def test_the_other_two_of_his_and_em_after_them() -> None:
    """ "the other two tho. set em to high" after one of his three open tickets was closed
    (the listing of them never reached the thread): his two others, and "em" is those two,
    not him; "email em" would be him."""
    lookup, records = catalogue(
        facts(
            customer("CUS-1099", "Tariq Lund", "Lund Labs", HIS_THREE, "he"),
            RecordFacts("TCK-1190", "CUS-1099", "Dashboard loads slowly open normal Tariq Lund"),
            RecordFacts("TCK-1191", "CUS-1099", "Mobile app crashes open high Tariq Lund"),
            RecordFacts("TCK-1192", "CUS-1099", "Need more seats open normal Tariq Lund"),
        )
    )  # fmt: skip
    history = [
        turn(1, "how many tickets does tariq lund have open?"),
        turn(2, "close TCK-1191, CUS-1099 said it stopped crashing"),
    ]
    out = resolve("the other two tho. set em to high", history, KINDS, lookup, ACTS, records)
    assert out.question is None
    assert set(entities(out)) == {"TCK-1190", "TCK-1192"}
    assert "CUS-1099" not in out.text
    out = resolve("close the other two", history, KINDS, lookup, ACTS, records)
    assert sorted(entities(out)) == ["TCK-1190", "TCK-1192"]
    out = resolve("the other two tho. email em about them", history, KINDS, lookup, ACTS, records)
    assert "CUS-1099" in entities(out)


def test_its_after_a_record_the_request_named_by_its_noun_is_no_other() -> None:
    """ "and his june invoice? paid or in its flop era" after two of his tickets: "its" is
    the invoice the request named (his June one), never asked among the tickets."""
    lookup, records = catalogue(
        facts(
            customer("CUS-1099", "Tariq Lund", "Lund Labs", HIS_TWO_AND_JUNE, "he"),
            RecordFacts("TCK-1190", "CUS-1099", "Dashboard loads slowly open normal Tariq Lund"),
            RecordFacts("TCK-1192", "CUS-1099", "Need more seats open normal Tariq Lund"),
            invoice("INV-1390", "CUS-1099", "unpaid", "2025-06"),
        )
    )  # fmt: skip
    history = [turn(1, "tariq lund's tickets"), turn(2, "set TCK-1190 and TCK-1192 to high")]
    out = resolve(
        "and his june invoice? paid or in its flop era", history, KINDS, lookup, ACTS, records
    )
    assert out.question is None
    assert entities(out) == ["INV-1390"]


def test_the_other_two_of_a_list_the_last_turn_named_are_not_more_of_his() -> None:
    """ "the other two" after a turn that named three of his tickets is no two others of his
    besides those three (the request counts within the list it named)."""
    lookup, records = catalogue(
        facts(
            customer("CUS-1099", "Tariq Lund", "Lund Labs", HIS_THREE, "he"),
            RecordFacts("TCK-1190", "CUS-1099", "Dashboard loads slowly open normal Tariq Lund"),
            RecordFacts("TCK-1191", "CUS-1099", "Mobile app crashes open high Tariq Lund"),
            RecordFacts("TCK-1192", "CUS-1099", "Need more seats open normal Tariq Lund"),
        )
    )
    history = [turn(1, "are TCK-1190 and TCK-1191 still open? he says so")]
    out = resolve("ok close the other two", history, KINDS, lookup, ACTS, records)
    assert "TCK-1192" not in entities(out) or out.question is not None
    assert out.question is not None and entities(out) == []  # asked, nothing picked
