"""A side effect said in other words than its tool's name ("revert it", "resolve that") is a
side effect, and a reply whose words fit several options picks one only as a guess: neither
acts on a record the thread left open without asking."""

from __future__ import annotations

from ringmaster.graph.references import resolve
from tests.graph.references_kit import ACTS, KINDS, turn


def test_a_rollback_or_a_close_said_in_other_words_asks_which_of_several() -> None:
    two_deploys = [turn(1, "DEP-1028 and DEP-1029 health?")]
    for request in ("revert", "undo it", "pull it back", "revert that one asap"):
        out = resolve(request, two_deploys, KINDS, None, ACTS)
        assert out.question == "Which deployment do you mean: DEP-1028 or DEP-1029?", request
    three_tickets = [turn(1, "read me Greta's open tickets", "TCK-1022 TCK-1136 TCK-1138")]
    for request in ("okay resolve that", "resolve it please"):
        out = resolve(request, three_tickets, KINDS, None, ACTS)
        assert out.question == "Which ticket do you mean: TCK-1022, TCK-1136 or TCK-1138?"


def test_a_rollback_in_other_words_of_the_one_record_in_play_acts_on_it() -> None:
    one_deploy = [turn(1, "DEP-1028 health?")]
    for request, text in (("undo it", "undo DEP-1028"), ("revert", "revert (DEP-1028)")):
        out = resolve(request, one_deploy, KINDS, None, ACTS)
        assert (out.text, out.question) == (text, None)
