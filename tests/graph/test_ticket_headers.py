"""A help desk's ticket as pasted (issue 14, route33, demo-team-dev17 half A): a title line that
opens with the ticket's id ("TCK-1118 | Priority: High", "[TCK-1139] Export stuck at 99%") and
header lines over a transcript quoted with "> " ("--- Customer wrote (Dec 3) ---")."""

from __future__ import annotations

from ringmaster.graph.planner.envelope import ticket_title
from ringmaster.graph.planner.quoting import inline_reply, quoted_thread

IDS = r"TCK-\d{4}|CUS-\d{4}|INV-\d{4}"


def test_a_title_line_may_open_with_the_records_id_and_a_separator() -> None:
    for title in (
        "TCK-1118 | Priority: High | Customer: CUS-1021",
        "TCK-1126 — Marketing request",
        "TCK-1133 - Priority: Urgent",
        "TCK-1099 (internal)",
        "TCK-1141",
    ):
        text = f"{title}\n\nwash the car"
        assert ticket_title(text, IDS) == ("wash the car", title), title
        # without the team's ids the line stays in the message, as before
        assert ticket_title(text) == (text, ""), title


def test_field_lines_under_an_id_title_go_with_it() -> None:
    text = "[TCK-1139] Export stuck at 99%\nReported by: CUS-1008\n\nOps, can you check the queue?"
    assert ticket_title(text, IDS) == (
        "Ops, can you check the queue?",
        "[TCK-1139] Export stuck at 99%\nReported by: CUS-1008",
    )


def test_an_id_that_opens_a_sentence_or_an_ask_is_no_title() -> None:
    for kept in (
        "INV-1170 wrong amount. fix pls\nthx",
        "TCK-1107 close it pls\nthen refund INV-1166",
        "TCK-1107 | can you close it?\nthx",
        "TCK-1107 | stuck",
    ):
        assert ticket_title(kept, IDS) == (kept, ""), kept


def test_a_transcripts_header_lines_go_with_the_quoted_history() -> None:
    text = (
        "--- Customer wrote ---\n"
        "> The invoice INV-1158 charges the full month.\n\n"
        "--- Internal ---\n"
        "Checked, they upgraded on the 17th. Please fix the invoice."
    )
    thread = quoted_thread(text)
    assert thread is not None
    assert thread.newest == "Checked, they upgraded on the 17th. Please fix the invoice."
    assert "--- Internal ---" in thread.history
    assert "--- Customer wrote ---" in thread.history


def test_a_transcript_quoted_under_header_lines_is_no_inline_reply() -> None:
    text = (
        "--- Customer wrote (Dec 3, 09:12) ---\n"
        "> I still can't log in with SSO.\n\n"
        "--- Agent note (Dec 3, 09:40) ---\n"
        "> Asked for the IdP metadata, waiting.\n\n"
        "Customer sent the metadata. Please fix their SSO setup."
    )
    assert inline_reply(text) is None
    thread = quoted_thread(text)
    assert thread is not None
    assert thread.newest == "Customer sent the metadata. Please fix their SSO setup."
