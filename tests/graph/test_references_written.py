"""What a request asks to be written (a note, a message, a reply) is no description of the
record it goes on: "add a note to the ticket that the refund went out" after two tickets, one
about a refund, still asks which ticket."""

from __future__ import annotations

from ringmaster.graph.references import RecordFacts, Resolved, resolve
from ringmaster.graph.references.patterns import _describing_words
from tests.graph.references_kit import ACTS, KINDS, entities, turn

# Two tickets of one customer as a lookup answers them (made up, one of them about a refund).
FACTS = {
    "TCK-1040": RecordFacts("TCK-1040", "CUS-1012", "Refund missing after cancel open normal"),
    "TCK-1044": RecordFacts("TCK-1044", "CUS-1012", "Export to CSV times out pending high"),
}
LISTING = [turn(1, "show me CUS-1012's tickets", listed="TCK-1040 TCK-1044")]


def _resolve(request: str) -> Resolved:
    return resolve(request, LISTING, KINDS, FACTS.get, acts=ACTS)


def test_the_content_of_a_note_does_not_pick_the_record_it_goes_on() -> None:
    for request in [
        "put a note on the ticket that the refund went out yesterday",
        "add a comment to the ticket saying the refund went out",
        "leave a note on the ticket: refund went out",
        'note on the ticket "refund went out"',
    ]:
        out = _resolve(request)
        assert out.question is not None and "TCK-1040 or TCK-1044" in out.question, request
        assert entities(out) == [], request


def test_words_that_describe_the_record_still_pick_it() -> None:
    # The description is of the ticket, before the note's content or in a clause about it.
    out = _resolve("put a note on the refund ticket that we sent it again")
    assert out.question is None and entities(out) == ["TCK-1040"]
    out = _resolve("add a note to the ticket that mentions the refund")
    assert entities(out) == ["TCK-1040"]


def test_a_clause_after_tell_me_about_describes_the_record() -> None:
    # "tell me about X that …" asks to be told: its "that" clause says which record, as the
    # clause of "the ticket that mentions the refund" does, and is nothing to be written.
    words = _describing_words("can you tell me about the invoice that she disputed in june?")
    assert {"disputed", "june"} <= words
    # what a message is to say stays out
    assert "june" not in _describing_words("tell her that the invoice from june is paid")
