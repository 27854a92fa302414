"""A thread's first turn that acts on a person it names by name alone: one word of a name
the catalog holds several people of ("give Ben a credit" with Ben Garcia and Ben Silva) is
asked before anything runs, and so is "Tariq Castillo's ticket" when he has two open, as for
his id. A name that fits one person, or a request that only reads, is left as typed."""

from __future__ import annotations

from ringmaster.graph.references import RecordFacts, resolve
from tests.graph.references_kit import ACTS, KINDS, catalogue

FACTS = {
    "CUS-1024": RecordFacts(
        "CUS-1024", None, "Tariq Castillo Castillo Labs pro active",
        owns=("TCK-1016", "TCK-1133"), title="Tariq Castillo",
    ),
    "CUS-1017": RecordFacts(
        "CUS-1017", None, "Freya Castillo Castillo Group pro active", title="Freya Castillo"
    ),
    "CUS-1031": RecordFacts("CUS-1031", None, "Ben Garcia Garcia Group", title="Ben Garcia"),
    "CUS-1036": RecordFacts("CUS-1036", None, "Ben Silva Silva Co", title="Ben Silva"),
    "TCK-1016": RecordFacts("TCK-1016", "CUS-1024", "Dashboard loads slowly open normal"),
    "TCK-1133": RecordFacts("TCK-1133", "CUS-1024", "Mobile app crashes on launch open high"),
}  # fmt: skip
LOOKUP, RECORDS = catalogue(FACTS)


def test_a_first_name_several_people_share_is_asked_before_an_act() -> None:
    out = resolve("Give Ben a 10 dollar credit, his June invoice was wrong.", [], KINDS,
                  LOOKUP, ACTS, RECORDS)  # fmt: skip
    assert out.question is not None
    assert "CUS-1031" in out.question and "CUS-1036" in out.question
    out = resolve("can you send the Castillo account a check-in email?", [], KINDS, LOOKUP,
                  ACTS, RECORDS)  # fmt: skip
    assert out.question is not None and "CUS-1017" in out.question


def test_a_full_name_with_two_open_tickets_asks_which_ticket() -> None:
    out = resolve("can you set Tariq Castillo's ticket to urgent?", [], KINDS, LOOKUP, ACTS,
                  RECORDS)  # fmt: skip
    assert out.question is not None
    assert "TCK-1016" in out.question and "TCK-1133" in out.question


def test_a_name_of_one_person_or_a_look_up_is_left_as_typed() -> None:
    said = "Give Ben Silva a 10 dollar credit."
    out = resolve(said, [], KINDS, LOOKUP, ACTS, RECORDS)
    assert out.question is None and out.text == said
    said = "What plan is Ben on?"
    out = resolve(said, [], KINDS, LOOKUP, ACTS, RECORDS)
    assert out.question is None and out.text == said
