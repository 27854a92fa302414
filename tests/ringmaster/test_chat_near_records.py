"""A real record typed next to one the thread used is the record typed (issue 16, a new
user's trial): a refund of the next invoice runs on it, is held for no other turn's review and
is not asked about as a slip; a "no" to a slip that was asked about, then the record named,
runs the request with its reason, and the conversation shows what each turn asked."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.ringmaster.test_chat_views import chat
from tests.ringmaster.test_cli import InProcessCli

CLOSED = "refund INV-{} fully, the client closed their account"


def outcomes(said: list[Any]) -> list[dict[str, Any]]:
    return [x for x in said if x["type"] == "outcome"]


def test_the_next_invoice_is_refunded_as_typed_and_waits_for_no_other_review(
    tmp_path: Path, planner_cache: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cli = InProcessCli(tmp_path, None, planner_cache)
    # INV-1034 (999.00) waits for a person; INV-1035 (99.00) is under the limit.
    first, second = outcomes(chat(cli, monkeypatch, [CLOSED.format(1034), CLOSED.format(1035)]))
    [review] = first["outcome"]["pending"]
    assert review["turn"] == 1
    text = second["text"]
    assert second["outcome"]["queued_behind"] == [] and review["id"][:10] not in text, text
    assert "Did you mean" not in text
    assert "INV-1035" in text and "INV-1034" not in text, text
    assert second["outcome"]["status"] == "completed"


def test_a_swapped_id_is_asked_about_at_once_not_held_for_the_review_of_the_other(
    tmp_path: Path, planner_cache: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cli = InProcessCli(tmp_path, None, planner_cache)
    # INV-1043 is INV-1034 with two digits swapped: a possible slip, asked before it acts.
    first, second = outcomes(chat(cli, monkeypatch, [CLOSED.format(1034), CLOSED.format(1043)]))
    assert first["outcome"]["pending"]
    assert second["outcome"]["queued_behind"] == [], second["outcome"]["queued_behind"]
    assert "Did you mean INV-1034" in second["text"], second["text"]


def test_a_turn_held_for_a_mended_id_says_it_is_a_reading(
    tmp_path: Path, planner_cache: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cli = InProcessCli(tmp_path, None, planner_cache)
    # INV-134 is no record: read as the INV-1034 in play, whose refund waits for a person.
    first, second = outcomes(chat(cli, monkeypatch, [CLOSED.format(1034), "refund INV-134 now"]))
    [review] = first["outcome"]["pending"]
    [held] = second["outcome"]["queued_behind"]
    assert held["review_id"] == review["id"]
    assert held["reason"].startswith("it is about INV-1034 (INV-134 read as INV-1034), which")


def test_no_then_the_record_named_runs_the_request_with_its_reason_and_shows_what_was_asked(
    tmp_path: Path, planner_cache: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cli = InProcessCli(tmp_path, None, planner_cache)
    lines = ["show invoice INV-1034", CLOSED.format(1043), "no", "INV-1043"]
    said = outcomes(chat(cli, monkeypatch, lines))
    assert [o["outcome"]["turn"] for o in said] == [1, 2, 3, 4]
    assert "Did you mean INV-1034" in said[1]["text"]
    assert "Which invoice did you mean?" in said[2]["text"]
    # INV-1043 is 299.00, above the refund limit: its proposed action waits for a person.
    [review] = [p for p in said[3]["outcome"]["pending"] if p["turn"] == 4]
    shown = cli.json("review", "show", review["id"])
    [action] = shown["payload"]["action_requests"]
    assert action["args"]["invoice_id"] == "INV-1043"
    assert action["args"]["reason"] == "the client closed their account"

    thread = said[0]["outcome"]["thread_id"]
    show = " ".join(cli("thread", "show", thread).stdout.split())
    assert (
        "turn 3: no (asked: Not INV-1034, so nothing was done. Which invoice did you mean?)" in show
    ), show
    assert "turn 3: no (read as" not in show
    assert f"turn 4 (the latest): INV-1043 (read as: {CLOSED.format(1043)})" in show, show
