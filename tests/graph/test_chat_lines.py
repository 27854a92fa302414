"""Chat lines, asides and ticket transcripts: candidate cuts the splitter offers and the cutter
decides (route9, demo-team-dev7)."""

from __future__ import annotations

from pathlib import Path

import pytest

from ringmaster.agents.spec import load_team
from ringmaster.graph.planner.cutter import joiner_kind
from ringmaster.graph.planner.local import LocalPlanner
from ringmaster.graph.planner.quoting import quoted_thread
from ringmaster.graph.planner.splitter import split_request
from tests.graph.planner_dev_report import DEMO_TEAM


def _texts(text: str) -> list[str]:
    return [s.text for s in split_request(text)]


def test_a_line_without_a_full_stop_ends_a_candidate_part() -> None:
    segments = split_request("wash the car on friday\nfeed the cat tonight")
    assert [s.text for s in segments] == ["wash the car on friday", "feed the cat tonight"]
    assert segments[1].boundary == "strong"
    assert joiner_kind(segments[1].joiner) == "newline"


def test_lines_after_punctuation_and_quoted_lines_read_on() -> None:
    # a greeting, a sign-off and a name are cut as before: at commas, not at each line
    assert _texts("Hi there,\n\nwash the car please.\n\nThanks,\nAnna") == [
        "Hi there",
        "wash the car please.",
        "Thanks",
        "Anna",
    ]
    assert _texts("> wash the car\n> feed the cat") == ["> wash the car > feed the cat"]


def test_btw_and_oh_and_are_candidate_cuts() -> None:
    assert _texts("wash the car btw is the cat fed") == ["wash the car", "is the cat fed"]
    assert _texts("wash the car by the way is the cat fed") == ["wash the car", "is the cat fed"]
    # "Oh and" opening a sentence goes with the cut, not into a part "Oh" of its own
    assert _texts("Wash the car. Oh and can you feed the cat?") == [
        "Wash the car.",
        "can you feed the cat?",
    ]
    assert _texts("wash the car\noh and feed the cat") == ["wash the car", "feed the cat"]


def test_a_list_item_is_told_from_a_new_line() -> None:
    assert joiner_kind("\n- ") == "item"
    assert joiner_kind("\n👉 ") == "item"
    assert joiner_kind("\n2) ") == "item"
    assert joiner_kind("\n") == "newline"
    assert joiner_kind("\noh and ") == "newline"
    assert joiner_kind(" btw ") == "also"


def test_a_ticket_transcript_is_history_and_its_newest_message() -> None:
    text = (
        "Ticket TCK-1 · priority low\n--- Customer, 1 Dec 08:00 ---\nThe cat is hungry.\n"
        "--- Agent (Bo), 1 Dec 09:00 ---\nLooking into it.\n--- Internal note ---\nfeed the cat"
    )
    thread = quoted_thread(text)
    assert thread is not None and thread.transcript
    assert thread.newest == "feed the cat"
    assert thread.history.endswith("Looking into it.")
    assert thread.body == "The cat is hungry.\nLooking into it.\nfeed the cat"
    # a header line with nothing above it, or nothing under it, is no transcript
    assert quoted_thread("--- Internal note ---\nfeed the cat") is None
    assert quoted_thread("feed the cat\n--- Internal note ---") is None


@pytest.fixture(scope="module")
def demo_planner(tmp_path_factory: pytest.TempPathFactory) -> LocalPlanner:
    return LocalPlanner(load_team(DEMO_TEAM), cache_dir=Path(tmp_path_factory.mktemp("cache")))


def test_a_ticket_transcript_is_planned_on_its_newest_message(demo_planner: LocalPlanner) -> None:
    text = (
        "Ticket TCK-1044 · priority normal\n"
        "--- Customer, 2 Dec 14:05 ---\n"
        "Hello, since your update yesterday none of our dashboards load.\n"
        "--- Internal note ---\n"
        "Ops, can you check whether the web service is healthy?"
    )
    plan = demo_planner.plan(text)
    assert [s.agent for s in plan.subtasks] == ["ops"]
    # the customer's messages go with it as context
    assert "none of our dashboards load" in plan.subtasks[0].description


def test_a_second_ask_on_a_new_line_is_its_own_subtask(demo_planner: LocalPlanner) -> None:
    plan = demo_planner.plan("refund INV-1102 in full\ncount the refunds we issued in october")
    assert [s.agent for s in plan.subtasks] == ["billing", "analytics"]
