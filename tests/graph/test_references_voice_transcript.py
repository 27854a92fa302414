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

