"""What mail clients and servers add around a message (issue 14, route28, demo-team-dev15): a
confidentiality notice or "Sent from my iPhone" under the sign-off, and an email's subject
header over it."""

from __future__ import annotations

from pathlib import Path

import pytest

from ringmaster.agents.spec import load_team
from ringmaster.graph.planner.envelope import notice, sign_off, ticket_title
from ringmaster.graph.planner.local import LocalPlanner
from tests.graph.planner_dev_report import DEMO_TEAM

DISCLAIMER = (
    "This e-mail and any attachments are confidential and intended solely for the addressee. "
    "If you have received it in error, please notify the sender and delete it."
)


def test_a_notice_under_the_sign_off_goes_with_the_sign_off() -> None:
    ask = "Hi,\n\nPlease refund the duplicate charge on INV-1210."
    block = "Kind regards,\nOliver Grant\nAccounts Payable"
    # the notice's "please notify the sender" kept the sign-off above it in the message
    assert sign_off(f"{ask}\n\n{block}\n\n{DISCLAIMER}") == (ask, f"{block}\n\n{DISCLAIMER}")
    assert sign_off(f"{ask}\n\nThanks,\nPriya\n\nSent from my iPhone") == (
        ask,
        "Thanks,\nPriya\n\nSent from my iPhone",
    )
    # a phone's line with no sign-off above it, and a notice after a "--" separator
    assert notice(f"{ask}\nsent from mobile, excuse typos") == (
        ask,
        "sent from mobile, excuse typos",
    )
    scanned = "--\nThis message was scanned for viruses."
    assert notice(f"{ask}\n\nBest,\nLeonie\n\n{scanned}") == (f"{ask}\n\nBest,\nLeonie", scanned)
    # "With best regards," closes a mail as "Best regards," does
    assert sign_off(f"{ask}\n\nWith best regards,\nLeonie") == (ask, "With best regards,\nLeonie")


def test_what_only_resembles_a_notice_stays_in_the_message() -> None:
    # a request about confidentiality, a notice with nothing above it, a long last paragraph
    text = "Please keep this confidential, it is intended for the board only.\n\nThanks"
    assert notice(text) == (text, "")
    assert notice(DISCLAIMER) == (DISCLAIMER, "")
    text = f"Please refund INV-1.\n\n{DISCLAIMER * 6}"
    assert notice(text) == (text, "")
    text = "Please check what the export sent from my account to the auditors."
    assert notice(text) == (text, "")


def test_an_email_subject_header_is_a_title_line() -> None:
    text = "Subject: Fwd: status page\n\nhey - can someone confirm the api is healthy again?"
    assert ticket_title(text) == (
        "hey - can someone confirm the api is healthy again?",
        "Subject: Fwd: status page",
    )
    # a subject that asks, or one with nothing under it, stays
    text = "Subject: can you refund INV-1?\n\nThanks"
    assert ticket_title(text) == (text, "")
    assert ticket_title("Subject: renewal") == ("Subject: renewal", "")


@pytest.fixture(scope="module")
def demo_planner(tmp_path_factory: pytest.TempPathFactory) -> LocalPlanner:
    return LocalPlanner(load_team(DEMO_TEAM), cache_dir=Path(tmp_path_factory.mktemp("cache")))


def test_neither_a_notice_nor_a_subject_is_planned(demo_planner: LocalPlanner) -> None:
    text = (
        "Subject: Invoice INV-1192\n\nHello,\n\nOur invoice INV-1192 shows 25 seats, but we "
        "reduced to 20 in October. Could you correct it and send us a new invoice?\n\n"
        f"Best regards,\nAnders Nilsson\nFinance Manager\n\n{DISCLAIMER}"
    )
    plan = demo_planner.plan(text)
    assert [s.agent for s in plan.subtasks] == ["billing"]
    (only,) = plan.subtasks
    # both still reach the agent: the subject over the request, the notice under it
    assert only.description.startswith("Subject: Invoice INV-1192")
    assert only.description.endswith(DISCLAIMER)
