"""`ringmaster chat` tells each turn's story once, in order, labelled with its turn: a turn
run while another was typed (released from behind a review) is shown after the typed turn's
answer, under a line naming it, not as unlabelled plan and agent lines in the middle."""

from __future__ import annotations

import re

from tests.ringmaster.test_cli import Cli
from tests.ringmaster.test_cli_chat import _piped

REFUND = "Refund invoice INV-1002 in full, the customer was double charged"


def test_a_turn_released_by_a_call_off_is_told_once_after_the_typed_turns_answer(
    cli_in_process: Cli,
) -> None:
    cli = cli_in_process
    earlier = _piped(cli, REFUND, "what is the status of INV-1002 now?")
    [refund, held] = [x["outcome"] for x in earlier if x["type"] == "outcome"]
    assert held["status"] == "queued" and held["turn"] == 2
    thread = refund["thread_id"]

    screen = cli("chat", "--as", "ann", "--thread", thread, input="cancel that refund\n").stdout

    typed = screen.index(f"Thread {thread}, turn 3")  # the call-off's own answer
    ran = screen.index("turn 2, which waited for a review, has run:")
    assert typed < ran, screen
    # Nothing of turn 2 (its plan, its agent's lines) nor of turn 1's withdrawn refund, as
    # unlabelled lines before the typed turn's answer: turn 3's answer says what it withdrew.
    before = screen[:typed]
    assert "what is the status of INV-1002 now?" not in before, screen
    assert not re.search(r"^\s+t1 [\w:]+( \(attempt \d+\))?: ", before, re.M), screen
    assert screen.count(f"Thread {thread}, turn 2") == 1, screen


def test_reopening_a_thread_recaps_what_happened_while_the_chat_was_closed(
    cli_in_process: Cli,
) -> None:
    """ann's refund waited and her status question queued behind it; rita approved the refund
    elsewhere, which ran both. `chat --thread` said nothing of it: it now says, in a line each,
    the decision (with its turn) and each turn's answer, and nothing again after."""
    cli = cli_in_process
    earlier = _piped(cli, REFUND, "what is the status of INV-1002 now?")
    [refund, held] = [x["outcome"] for x in earlier if x["type"] == "outcome"]
    [review] = refund["pending"]
    thread = refund["thread_id"]
    assert held["status"] == "queued"
    cli("review", "approve", review["id"], "--as", "rita")

    lines = _piped(cli, "/reviews", args=("--thread", thread))

    assert [x["type"] for x in lines] == ["recap", "decision", "answered", "answered", "reviews"]
    assert lines[0]["review_ids"] == [review["id"]] and lines[0]["turns"] == [1, 2]
    assert lines[1]["text"].startswith(f"review {review['id'][:10]} (turn 1, t1) decided by rita")
    shown = cli.json("thread", "show", thread)["turns"]
    assert [(x["turn"], x["answer"]) for x in lines[2:4]] == [
        (1, shown[0]["answer"]),
        (2, shown[1]["answer"]),
    ]
    assert "refunded 299.00 USD on INV-1002" in lines[2]["text"]
    # Until ann's next turn the recap stands; after it, a chat on the thread has none.
    again = _piped(cli, "thanks!", args=("--thread", thread))
    assert [x["type"] for x in again][0] == "recap"
    after = _piped(cli, "/reviews", args=("--thread", thread))
    assert [x["type"] for x in after] == ["reviews"]


def test_the_review_table_is_printed_when_it_changed_and_counted_otherwise(
    cli_in_process: Cli,
) -> None:
    """After "thanks!" the chat reprinted the whole pending-review table it had just shown;
    unchanged, it is one line; a new review prints it again."""
    screen = cli_in_process(
        "chat", "--as", "ann", input=f"{REFUND}\nthanks!\nRefund invoice INV-1010 in full\n"
    ).stdout
    at = [re.search(rf"Thread \S+, turn {n}: ", screen) for n in (1, 2, 3)]
    assert all(at), screen
    one, two, three = (m.start() for m in at if m)
    refund, thanks, second = screen[one:two], screen[two:three], screen[three:]
    assert "Waiting for review (turn 1)" in refund, screen
    assert "Waiting for review" not in thanks, screen
    assert "1 review still waiting on this thread" in thanks, screen
    assert "Waiting for review (turn 3)" in second and "(other turns" in second, screen
