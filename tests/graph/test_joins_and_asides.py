"""Joins and statements of demo-team-dev16 and dev15 (issue 14, route31): "on top of that" and
"(and …)" turn to another ask, and a message that says nothing is needed from anyone asks
nothing."""

from __future__ import annotations

from ringmaster.graph.planner.no_ask import asks_nothing
from ringmaster.graph.planner.splitter import split_request


def test_on_top_of_that_opens_another_ask() -> None:
    text = (
        "Please credit CUS-1002 a week of service, and on top of that, find out from ops "
        "whether the api outage is over."
    )
    # it was a candidate part of its own ("on top of that"), glued with both asks into one
    assert [s.text for s in split_request(text)] == [
        "Please credit CUS-1002 a week of service",
        "find out from ops whether the api outage is over.",
    ]
    assert [s.text for s in split_request("Refund INV-1. On top of that, unlock CUS-2.")] == [
        "Refund INV-1.",
        "unlock CUS-2.",
    ]
    # a place, not a join
    assert len(split_request("Put TCK-1 on top of the queue")) == 1


def test_an_aside_in_brackets_that_adds_an_ask_is_a_candidate_part() -> None:
    text = (
        "Can ops restart the export worker (and could legal check whether we may keep the failed "
        "files for a year)?"
    )
    # the bracket hid the "and": the whole went to legal
    assert [s.text for s in split_request(text)] == [
        "Can ops restart the export worker",
        "could legal check whether we may keep the failed files for a year)?",
    ]
    # an aside of context, or a short one inside an ask, is no cut
    for text in ("Refund INV-1158 (the customer cancelled in time).", "Check api (and web) now"):
        assert len(split_request(text)) == 1, text


def test_nothing_needed_from_anyone_asks_nothing() -> None:
    assert asks_nothing(
        "Weekly update: nothing needed from anyone this week, just sharing that the offsite "
        "is confirmed for 12 January."
    )
    assert asks_nothing("Just sharing: DEP-1050 finished rolling out at 14:00.")
    assert not asks_nothing("Nothing needed from you today, but can you refund INV-1?")
