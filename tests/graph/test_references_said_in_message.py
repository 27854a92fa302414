"""What a message to a person says is written as asked (conversations-dev25, half A): "email
her that it's fixed" is a message to her, and its "it" is no record the request refers to."""

from __future__ import annotations

from ringmaster.graph.references import resolve

from .references_kit import ACTS, KINDS, entities, turn


def test_it_in_what_a_message_says_is_not_read_as_a_record() -> None:
    # "it's" was read as the ticket ("that TCK-1040's sorted now"), a record the message
    # only speaks of.
    history = [turn(1, "Look up CUS-1020.", "CUS-1020"), turn(2, "Close TCK-1040.", "CUS-1020")]
    for said in ("email him that it's sorted now", "Message him that it's been closed."):
        out = resolve(said, history, KINDS, None, ACTS)
        assert out.question is None and "TCK-1040" not in out.text, said
        assert "TCK-1040" not in entities(out), said


def test_it_outside_what_the_message_says_is_still_read() -> None:
    history = [turn(1, "Look up CUS-1020.", "CUS-1020"), turn(2, "What is TCK-1040 about?")]
    out = resolve("email him that we're on it, then close it", history, KINDS, None, ACTS)
    assert out.text.endswith("then close TCK-1040"), out.text
    out = resolve("email him about it", history, KINDS, None, ACTS)
    assert "TCK-1040" in entities(out), out.text
