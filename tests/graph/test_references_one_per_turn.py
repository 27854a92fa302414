"""Records named one per turn ("whats going on with TCK-1140", "and TCK-1144?") make a list
as much as two named in one request: "the first one", "the former", "the other one", "those
two" and "them both" count them in the order they were named."""

from __future__ import annotations

from typing import Any

from ringmaster.graph.references import RecordFacts, resolve
from tests.graph.references_kit import ACTS, KINDS, entities, turn

FACTS = {
    "TCK-1140": RecordFacts("TCK-1140", "CUS-1006", "dashboard not loading open normal"),
    "TCK-1144": RecordFacts("TCK-1144", "CUS-1021", "webhook retries failing open high"),
    "ALT-1042": RecordFacts("ALT-1042", None, "api latency p95 high warning firing"),
    "ALT-1043": RecordFacts("ALT-1043", None, "auth error rate critical firing"),
    "INV-1207": RecordFacts("INV-1207", "CUS-1020", "unpaid 2025-06 usd June Jun 2025"),
    "CUS-1020": RecordFacts("CUS-1020", None, "Rafael Ito Ito Labs pro active"),
    "CUS-1024": RecordFacts("CUS-1024", None, "Lena Costa Costa Group pro active"),
    "CUS-1003": RecordFacts("CUS-1003", None, "Aisha Khan Khan Bakery starter active"),
    "CUS-1005": RecordFacts("CUS-1005", None, "Sofia Rossi Rossi & Figli pro active"),
}


def lookup(entity: str) -> RecordFacts | None:
    return FACTS.get(entity)


TWO_TICKETS = [
    turn(1, "whats going on with TCK-1140"),
    turn(2, "whats going on with TCK-1144"),
]


def test_an_ordinal_counts_the_records_named_one_per_turn() -> None:
    out = resolve("close the first one the fix went out", TWO_TICKETS, KINDS, lookup, ACTS)
    assert out.question is None
    assert out.text == "close TCK-1140 the fix went out" and entities(out) == ["TCK-1140"]
    out = resolve("and the second one, who opened it?", TWO_TICKETS, KINDS, lookup, ACTS)
    assert entities(out)[:1] == ["TCK-1144"]


def test_a_record_named_again_keeps_its_place_in_the_list() -> None:
    # TCK-1140 closed at turn 3 is still the first of the two; "the second one" is TCK-1144.
    history = [*TWO_TICKETS, turn(3, "close TCK-1140 the fix went out")]
    out = resolve("close the second one", history, KINDS, lookup, ACTS)
    assert out.question is None and entities(out) == ["TCK-1144"]


def test_the_other_one_of_two_named_one_per_turn_is_the_one_not_used_last() -> None:
    history = [*TWO_TICKETS, turn(3, "close TCK-1144 the fix went out")]
    out = resolve("and reopen the other one", history, KINDS, lookup, ACTS)
    assert out.question is None and out.text == "and reopen TCK-1140"


def test_the_former_counts_two_records_named_one_per_turn() -> None:
    history = [
        turn(1, "what's firing right now?", "ALT-1041 ALT-1042 ALT-1043"),
        turn(2, "ALT-1043 - since when?"),
        turn(3, "ALT-1042 - since when?"),
    ]
    out = resolve("open an incident for the former, sev3", history, KINDS, lookup, ACTS)
    assert out.text == "open an incident for ALT-1043, sev3" and entities(out) == ["ALT-1043"]
    out = resolve("and the latter is noise", history, KINDS, lookup, ACTS)
    assert entities(out) == ["ALT-1042"]


def test_a_listing_the_user_did_not_name_from_is_no_part_of_the_list() -> None:
    # The newest turn listed three: "the first one" is the listing's, read as before.
    history = [turn(1, "whats going on with TCK-1140"), turn(2, "any alerts?", "ALT-1042 ALT-1043")]
    out = resolve("how bad is the first one?", history, KINDS, lookup, ACTS)
    assert entities(out) == ["ALT-1042"]


def test_those_two_are_the_people_named_one_per_turn_beside_one_invoice() -> None:
    history = [
        turn(1, "please send CUS-1020 a friendly reminder about INV-1207"),
        turn(2, "please send CUS-1024 a friendly reminder about INV-1207"),
    ]
    out = resolve("how much do those two still owe us?", history, KINDS, lookup, ACTS)
    assert out.question is None
    assert out.text == "how much do CUS-1020 and CUS-1024 still owe us?"


def acted(number: int, request: str) -> dict[str, Any]:
    """A history entry whose side effect ran on the records it named, as the runner keeps it."""
    entry = turn(number, request)
    entry["entities"]["acted"] = list(entry["entities"]["named"])
    return entry


def test_them_both_are_the_two_people_named_one_per_turn() -> None:
    # Each credit ran, so neither turn echoes the other: the two are gathered turn by turn.
    history = [
        acted(1, "credit CUS-1005 $20 for the payment hassle"),
        acted(2, "credit CUS-1003 $20 for the payment hassle"),
    ]
    out = resolve("and write them both a short note about the credit", history, KINDS, lookup)
    assert out.question is None
    assert sorted(entities(out)) == ["CUS-1003", "CUS-1005"]


def test_that_one_after_what_else_is_one_the_answer_listed() -> None:
    # "what else does he owe?" asks for more of his records: "that one" is what it listed,
    # not the invoice an earlier turn named.
    history = [
        turn(1, "Give CUS-1036 a 10 dollar credit, INV-1222 was wrong."),
        turn(2, "What else does CUS-1036 owe?", "INV-1175"),
    ]
    out = resolve("Send him a reminder for that one.", history, KINDS, lookup, ACTS)
    assert out.question is None and "INV-1175" in entities(out)
