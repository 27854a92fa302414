"""References in the voices of conversations-dev22: a correction said aloud in the middle of a
request ("close TCK-1137 no wait sorry TCK-1078"), a bare "that" as the object of a request
("roll that back", "who's the customer on that")."""

from __future__ import annotations

from ringmaster.graph.references import resolve

from .references_kit import ACTS, KINDS, entities, turn


def test_an_id_taken_back_in_the_same_breath_is_no_part_of_the_request() -> None:
    # Both tickets had been closed: the agent read both ids in the request as typed.
    out = resolve("um can you close TCK-1137 no wait sorry TCK-1078 the rotate key one", [],
                  KINDS, None, ACTS)  # fmt: skip
    assert out.text == "um can you close TCK-1078 the rotate key one"
    assert out.dropped == ("TCK-1137",) and "TCK-1137" in out.context()
    out = resolve("is TCK-1005 still open? no wait I mean TCK-1037", [], KINDS, None, ACTS)
    assert out.text == "is TCK-1037 still open?"
    out = resolve("what plan is CUS-1011 on, no sorry, CUS-1012", [], KINDS, None, ACTS)
    assert out.text == "what plan is CUS-1012 on"
    # A record a reference stood for, then taken back: neither planned nor counted resolved.
    history = [turn(1, "what's open for CUS-1024", "TCK-1145 TCK-1133 TCK-1019")]
    out = resolve("ok close TCK-1145 — wait no, TCK-1133, it stopped crashing", history,
                  KINDS, None, ACTS)  # fmt: skip
    assert "TCK-1145" not in out.text and out.text.startswith("ok close TCK-1133")
    assert "TCK-1145" not in entities(out)
    # Nothing taken back: as typed.
    for typed in ("close TCK-1005 and TCK-1037", "TCK-1005? sorry for the delay, and TCK-1002"):
        out = resolve(typed, [], KINDS, None, ACTS)
        assert out.text == typed and out.dropped == ()


def test_a_bare_that_as_the_object_of_a_request_is_the_record_in_play() -> None:
    # Read as no reference: ops was left to pick what to roll back, support to guess a ticket.
    history = [turn(1, "which deploy caused INC-1012?", "DEP-1032")]
    for typed in ("ok um roll that back i guess yeah", "roll that back"):
        out = resolve(typed, history, KINDS, None, ACTS)
        assert entities(out) == ["DEP-1032"] and "DEP-1032" in out.text, typed
    history = [turn(1, "close TCK-1078")]
    for typed in ("and uh who's the customer on that", "who's the customer on that?",
                  "who's the customer on that one", "any news on that"):  # fmt: skip
        out = resolve(typed, history, KINDS, None, ACTS)
        assert entities(out) == ["TCK-1078"] and out.text.count("TCK-1078") == 1, typed
    # "that" as a conjunction, a relative or a demonstrative before a noun: no record.
    for typed in ("email her that we are on it", "make sure that the customer knows",
                  "is that all?"):  # fmt: skip
        out = resolve(typed, history, KINDS, None, ACTS)
        assert "TCK-1078" not in out.text, typed
