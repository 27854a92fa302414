"""`ringmaster chat` answers a pleasantry without raising work for anyone, and asks for a
reason before it rejects, as its /help says."""

from __future__ import annotations

import json

import pytest

from tests.ringmaster.test_cli import Cli
from tests.ringmaster.test_cli_chat import _piped


@pytest.mark.parametrize("said", ["thanks!", "Thank you so much 🙏", "ok, great", "hi there"])
def test_a_pleasantry_gets_a_short_reply_and_raises_nothing(cli_in_process: Cli, said: str) -> None:
    cli = cli_in_process
    lines = _piped(cli, said, "/reviews")
    [outcome] = [x for x in lines if x["type"] == "outcome"]
    assert outcome["outcome"]["status"] == "completed"
    assert outcome["outcome"]["pending"] == []
    assert 0 < len(outcome["text"]) < 80
    assert lines[-1]["type"] == "reviews" and lines[-1]["reviews"] == []
    assert cli.json("review", "list") == []


def test_run_shows_the_supervisors_own_reply_and_why(cli_in_process: Cli) -> None:
    out = cli_in_process("run", "thanks!").stdout
    assert "Plan (supervisor): a pleasantry that asks for nothing" in out
    assert "supervisor: You're welcome." in out and "human" not in out


def test_a_pleasantry_with_a_request_in_it_is_still_the_request(cli_in_process: Cli) -> None:
    [outcome] = [
        x
        for x in _piped(cli_in_process, "thanks! what's the status of ticket TCK-1001?")
        if x["type"] == "outcome"
    ]
    assert [s["agent"] for s in outcome["outcome"]["subtasks"]] == ["support"]


def test_reject_asks_for_a_reason_as_help_says(cli_in_process: Cli) -> None:
    cli = cli_in_process
    lines = _piped(cli, "Refund invoice INV-1002 in full", "/help")
    [refund] = [x for x in lines if x["type"] == "outcome"]
    [item] = refund["outcome"]["pending"]
    [shown] = [x for x in lines if x["type"] == "help"]
    assert "/reject ID reason" in shown["text"] and "/reject ID [reason]" not in shown["text"]

    lines = _piped(cli, f"/reject {item['id'][:10]}", f"/reject {item['id'][:10]}   ")
    errors = [x["text"] for x in lines if x["type"] == "error"]
    assert len(errors) == 2 and all("reason" in e for e in errors)
    assert not [x for x in lines if x["type"] == "outcome"]  # nothing was decided
    assert cli.json("review", "show", item["id"])["status"] == "pending"

    lines = _piped(cli, f"/reject {item['id'][:10]} the customer was not charged twice")
    [done] = [x for x in lines if x["type"] == "outcome"]
    assert "the customer was not charged twice" in json.dumps(done["outcome"]["results"])
