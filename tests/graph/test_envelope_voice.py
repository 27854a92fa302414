"""Envelopes in other wordings and languages (route36, benchmarks/envelope_mutations.py half A):
a notice worded otherwise or written in another language, a closing in another language, a
closing courtesy paragraph, a ticket's field lines, a heading over a list."""

from __future__ import annotations

from pathlib import Path

import pytest

from ringmaster.agents.spec import load_team
from ringmaster.graph.planner.envelope import (
    ListHeading,
    closing_courtesy,
    greeting,
    list_heading,
    notice,
    sign_off,
    ticket_title,
)
from ringmaster.graph.planner.local import LocalPlanner
from tests.graph.planner_dev_report import DEMO_TEAM

ASK = "refund INV-1033 and close TCK-1090 pls"
GERMAN = (
    "Diese E-Mail enthält vertrauliche Informationen. Wenn Sie nicht der richtige Adressat "
    "sind, informieren Sie bitte sofort den Absender und löschen Sie diese Mail."
)


def test_a_notice_worded_otherwise_is_a_notice() -> None:
    worded = (
        "Disclaimer: this message may contain confidential information. If you received it by "
        "mistake, please let the sender know and remove it from your system."
    )
    assert notice(f"{ASK}\n\n{worded}") == (ASK, worded)
    privileged = "The contents of this e-mail are privileged; any use by others is prohibited."
    assert notice(f"{ASK}\n\n{privileged}") == (ASK, privileged)


def test_a_paragraph_in_another_language_under_the_message_is_a_notice() -> None:
    assert notice(f"{ASK}\n\n{GERMAN}") == (ASK, GERMAN)
    spanish = (
        "Este mensaje es confidencial y está dirigido únicamente a su destinatario. Si lo ha "
        "recibido por error, por favor notifíquelo al remitente."
    )
    assert notice(f"{ASK}\n\n{spanish}") == (ASK, spanish)
    # English, however terse, is the writer's: chat shorthand and a long English paragraph stay
    for last in (
        "INV-1150 wrong amount pls fix n reply on TCK-1099 w/ the corrected one asap",
        "The api had a 20-minute outage at noon. Please write a status page update about it.",
    ):
        assert notice(f"{ASK}\n\n{last}") == (f"{ASK}\n\n{last}", "")


def test_a_shorthand_ask_with_no_stop_words_is_no_notice() -> None:
    """Twelve words and more with no English stop word is not yet another language: a chat
    line of shorthand on a line of its own is an ask (it was read as a notice in another
    language and went with the subtask above it as context)."""
    for last in (
        "INV-1150 wrong amount customer charged twice pls refund asap escalate billing dispute "
        "urgent thx",
        "TCK-1203 login broken again customer Priya furious escalate high priority reply asap "
        "today thanks",
    ):
        for sep in ("\n", "\n\n"):
            assert notice(f"{ASK}{sep}{last}") == (f"{ASK}{sep}{last}", "")
    dutch = (
        "Dit bericht is vertrouwelijk en alleen bestemd voor de geadresseerde. Heeft u het per "
        "vergissing ontvangen, meld dat dan aan de afzender en verwijder het."
    )
    assert notice(f"{ASK}\n\n{dutch}") == (ASK, dutch)


def test_greetings_and_closings_in_other_languages_are_envelope() -> None:
    for closing in ("Viele Grüße,", "Mit freundlichen Grüßen", "Cordialement,", "Saludos,"):
        block = f"{closing}\nJonas Weber"
        assert sign_off(f"{ASK}\n\n{block}\n\n{GERMAN}") == (ASK, f"{block}\n\n{GERMAN}")
    # "LG" and "MfG" close a German mail only on their own: a line that opens with the brand
    # is the message
    assert sign_off(f"{ASK}\n\nMfG,\nJonas") == (ASK, "MfG,\nJonas")
    assert sign_off(f"{ASK}\n\nLG monitor arrived broken") == (
        f"{ASK}\n\nLG monitor arrived broken",
        "",
    )
    for hello in ("Hallo Team,", "Bonjour,", "Hola,"):
        assert greeting(f"{hello}\n\n{ASK}") == (hello, ASK)


def test_a_closing_courtesy_paragraph_goes_with_the_sign_off() -> None:
    for closing in (
        "Appreciate the help, shout if you have any questions!",
        "Thanks so much, and let me know if you need anything else from me.",
        "Happy to jump on a call if that's easier. Thanks!",
    ):
        assert closing_courtesy(f"{ASK}\n\n{closing}") == (ASK, closing)
        assert sign_off(f"{ASK}\n\n{closing}\n\nBest,\nMei") == (ASK, f"{closing}\n\nBest,\nMei")
    # a closing that asks for work or an answer stays in the message
    for last in (
        "Thanks, and could you also close TCK-1?",
        "Let me know if you can refund INV-1 today.",
        "Let me know if the refund went through.",
        "Thanks. Also reset the 2FA for CUS-1001.",
        # thanks for work not asked above it asks for that work
        "Thanks in advance for pulling the churn numbers for last quarter too.",
        "Thanks for writing up the release notes as well, have a great weekend!",
    ):
        assert closing_courtesy(f"{ASK}\n\n{last}") == (f"{ASK}\n\n{last}", "")
    for closing in ("Thanks for looking into this!", "Thanks so much for your help with this."):
        assert closing_courtesy(f"{ASK}\n\n{closing}") == (ASK, closing)


def test_a_tickets_field_lines_go_with_its_title() -> None:
    body = "who's on call for the auth outage"
    head = "Ticket #48213 · New\nRequester: aisha@example.com"
    assert ticket_title(f"{head}\n\n{body}") == (body, head)
    head = "Subject: Request from Dana Whitfield\nPriority: Normal\nRequester: Dana Whitfield"
    assert ticket_title(f"{head}\n\n{body}") == (body, head)
    # a line under the title that asks is the message
    text = "Subject: renewal\nInternal: pls check whether DEP-1055 broke the dashboard"
    assert ticket_title(text) == (
        "Internal: pls check whether DEP-1055 broke the dashboard",
        "Subject: renewal",
    )


def test_a_heading_over_a_list_is_taken_off_it() -> None:
    items = "* What was MRR at the end of October?\n* Draft a short email about the new price."
    first, last = items.splitlines()
    for head in ("Two things for today", "Hi, a few things:", "When you get a chance:"):
        assert list_heading(f"{head}\n{items}") == (items, ListHeading(head, first, last))
    # a lead-in that asks, names a record or states something, or a greeting line, stays
    for head in ("Could you:", "For CUS-1001:", "We had a bad week.", "Hi team,"):
        assert list_heading(f"{head}\n{items}") == (f"{head}\n{items}", None)
    assert list_heading("Two things\n* refund INV-1") == ("Two things\n* refund INV-1", None)


def test_a_heading_that_names_something_heads_every_item_one_that_announces_none(
    demo_planner: LocalPlanner,
) -> None:
    # Put back above the first item only: the second lost whose it was, and a heading that
    # says nothing ("Two things for today") was context of the first.
    items = "* What was MRR at the end of October?\n* Draft a short email about the new price."
    for head in ("For Becker Logistics:", "Re the Jones account:"):
        assert ListHeading(head, "", "").governs, head
        subtasks = demo_planner.plan(f"{head}\n{items}").subtasks
        assert [s.agent for s in subtasks] == ["analytics", "content"]
        assert all(s.description.startswith(f"{head}\n\n") for s in subtasks), head
    for head in ("Two things for today", "Hi, a few things:", "When you get a chance:"):
        assert not ListHeading(head, "", "").governs, head
        subtasks = demo_planner.plan(f"{head}\n{items}").subtasks
        assert [s.agent for s in subtasks] == ["analytics", "content"]
        assert not any(head in s.description for s in subtasks), head
    # a list after an ask of its own: the heading heads the items, not the ask above it
    text = f"Is the web app up right now?\n\nFor Becker Logistics:\n{items}"
    first, *rest = demo_planner.plan(text).subtasks
    assert "Becker" not in first.description
    assert rest and all(s.description.startswith("For Becker Logistics:") for s in rest)


@pytest.fixture(scope="module")
def demo_planner(tmp_path_factory: pytest.TempPathFactory) -> LocalPlanner:
    return LocalPlanner(load_team(DEMO_TEAM), cache_dir=Path(tmp_path_factory.mktemp("cache")))


def test_the_envelope_is_not_planned(demo_planner: LocalPlanner) -> None:
    text = (
        "Hallo,\n\nbounce the export workers on billing-service then count the failed exports "
        f"since noon\n\nThanks so much, and let me know if you need anything else.\n\n"
        f"Viele Grüße,\nJonas Weber\n\n{GERMAN}"
    )
    plan = demo_planner.plan(text)
    assert [s.agent for s in plan.subtasks] == ["ops", "analytics"]
    assert plan.subtasks[-1].description.endswith(GERMAN)
    listed = "Two things for today\n* What was MRR at the end of October?\n* Draft a short "
    listed += "customer email announcing the new price of the team plan."
    plan = demo_planner.plan(listed)
    assert [s.agent for s in plan.subtasks] == ["analytics", "content"]
    # a heading that only announces the list is context of no item
    assert not any("Two things" in s.description for s in plan.subtasks)


def test_a_persons_errand_over_a_quoted_ask_leaves_the_quote_as_context(
    demo_planner: LocalPlanner,
) -> None:
    for errand, asked in (
        ("my laptop charger broke, who do i ask for a new one?", "Is the auth service healthy?"),
        ("can you recommend a good book on negotiation?", "How many customers churned?"),
    ):
        quote = f"On Mon, 1 Dec 2026, Ana wrote:\n> {asked}"
        plan = demo_planner.plan(f"{errand}\n\n{quote}")
        (only,) = plan.subtasks
        assert only.agent is None and only.escalate
        assert only.description.startswith(errand) and asked in only.description
    # a note that only passes the quote on still asks what the quote asks
    plan = demo_planner.plan(f"FYI, see below.\n\n{quote}")
    assert [s.agent for s in plan.subtasks] == ["analytics"]


def test_a_greeting_line_that_names_no_agent_does_not_route(demo_planner: LocalPlanner) -> None:
    for ask in (
        "Can you put together a few lines telling customers we'll be offline Saturday night?",
        "DEP-1040 rolled out? + refund INV-1101 pls",
    ):
        bare = demo_planner.plan(f"{ask}\n\nThanks,\nLuis").subtasks
        for hello in ("Good morning,", "Hello everyone,", "Guten Morgen,"):
            plan = demo_planner.plan(f"{hello}\n\n{ask}\n\nThanks,\nLuis")
            assert [(s.agent, s.confidence) for s in plan.subtasks] == [
                (s.agent, s.confidence) for s in bare
            ]
            assert plan.subtasks[0].description.startswith(hello)
    # a greeting that names the agent addresses it: it stays in what is routed
    plan = demo_planner.plan("Hi legal team,\n\nwhat's the notice period in the MSA with CUS-1003?")
    assert plan.subtasks[0].description.startswith("Hi legal team, what's")
