"""Finding the quoted history and the newest message of a pasted reply."""

from __future__ import annotations

from ringmaster.graph.planner.quoting import Thread, quoted_thread


def test_a_reply_splits_into_its_quoted_history_and_newest_message() -> None:
    text = "On Tue, 2 Dec, Ana wrote:\n> Can you refund INV-1?\n>\n> Done.\n\nThanks! Now my login."
    assert quoted_thread(text) == Thread(
        history="On Tue, 2 Dec, Ana wrote:\n> Can you refund INV-1?\n>\n> Done.",
        newest="Thanks! Now my login.",
    )


def test_a_newest_message_above_the_quote_is_found_too() -> None:
    thread = quoted_thread("Please close it.\n\n> Ticket TCK-1 is resolved.")
    assert thread == Thread(
        history="> Ticket TCK-1 is resolved.", newest="Please close it.", newest_first=True
    )


def test_text_without_a_quote_or_without_anything_else_has_no_thread() -> None:
    assert quoted_thread("Refund INV-1. Bob wrote: thanks") is None
    assert quoted_thread("> only quoted\n> lines") is None
    # "wrote:" only introduces a quote on the line right above it.
    assert quoted_thread("Bob wrote:\nhello\n> hi") == Thread("> hi", "Bob wrote:\nhello", True)
