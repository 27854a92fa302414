"""Terse chat and help-desk tickets (issue 14, demo-team-dev14): asks joined by chat's "n" or by
nothing but the "pls" that opens the next one, typed as one run without a full stop, in a
support desk's shorthand ("tix", "inv", "acct"); and tickets under a title line. The splitter
offers the cuts; the synthetic requests teach the cutter which of them are real; the title line
is envelope."""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from ringmaster.agents.spec import load_team
from ringmaster.graph.planner.cutter import joiner_kind
from ringmaster.graph.planner.envelope import ticket_title
from ringmaster.graph.planner.local import LocalPlanner
from ringmaster.graph.planner.splitter import split_request
from ringmaster.graph.planner.synthesis import Synthetic, chat

DEMO_TEAM = Path(__file__).resolve().parents[2] / "agents" / "demo" / "team.yaml"


def _texts(text: str) -> list[str]:
    return [s.text for s in split_request(text)]


def test_chat_n_is_a_candidate_cut_like_and() -> None:
    segments = split_request("wash the car n feed the cat")
    assert [s.text for s in segments] == ["wash the car", "feed the cat"]
    assert segments[1].boundary == "weak"
    assert joiner_kind(segments[1].joiner) == "and"
    # not inside a word, and not a letter of an id or a name
    assert _texts("check the n8n workflow for plan N-2") == ["check the n8n workflow for plan N-2"]


def test_a_pls_in_mid_run_opens_the_next_ask_unless_it_frames_the_one_it_is_in() -> None:
    segments = split_request("wash the car pls feed the cat too")
    assert [s.text for s in segments] == ["wash the car", "feed the cat too"]
    assert joiner_kind(segments[1].joiner) == "please"
    for one in (
        "can you pls wash the car",
        "could u please wash the car",
        "hi pls wash the car",
        "pls wash the car",
        "wash the car pls",
        "just pls wash the car",
    ):
        assert _texts(one) == [one], one
    # after "pls", an "n" joins on: one cut, read as "and"
    segments = split_request("wash the car pls n feed the cat")
    assert [s.text for s in segments] == ["wash the car pls", "feed the cat"]
    assert joiner_kind(segments[1].joiner) == "and"


PAIR = Synthetic("Wash the car. Then feed the cat.", ((0, 12), (19, 32)), ("car", "pets"))


def test_chat_joins_two_asks_by_chat_connectors_and_types_some_as_one_run() -> None:
    rng = random.Random(3)
    rows = [chat(PAIR, rng) for _ in range(400)]
    joins = {r.text[r.spans[0][1] : r.spans[1][0]] for r in rows}
    assert {" n ", " & ", " + ", " pls "} <= joins
    assert any("." not in r.text for r in rows)  # one run, no full stop
    for r in rows:
        first, second = (r.text[s:e] for s, e in r.spans)
        assert "car" in first and "cat" not in first
        assert "cat" in second and "car" not in second
        # the splitter finds the cut the chat voice made, wherever the pieces are
        assert len(split_request(r.text)) >= 2


def test_chat_shorthand_puts_n_inside_one_ask_too() -> None:
    rng = random.Random(4)
    one = Synthetic("Check the invoice and the account", ((0, 33),), ("billing",))
    texts = {chat(one, rng).text for _ in range(300)}
    assert any(" n " in t for t in texts)
    assert any("inv" in t and "invoice" not in t for t in texts)
    assert any("acct" in t for t in texts)


def test_a_ticket_title_line_is_taken_off_the_message_it_heads() -> None:
    assert ticket_title("Ticket TCK-7, reply from customer\n\nwash the car") == (
        "wash the car",
        "Ticket TCK-7, reply from customer",
    )
    assert ticket_title("Case #4821 · priority high\nfeed the cat") == (
        "feed the cat",
        "Case #4821 · priority high",
    )
    # a line that asks, a line about tickets, a title with nothing under it: left as they are
    for kept in (
        "Ticket TCK-7 is stuck, can you close it?\nthx",
        "tickets 4 and 5 are piling up\nwash the car",
        "Ticket TCK-7",
    ):
        assert ticket_title(kept) == (kept, ""), kept


@pytest.fixture(scope="module")
def demo_planner(tmp_path_factory: pytest.TempPathFactory) -> LocalPlanner:
    return LocalPlanner(load_team(DEMO_TEAM), cache_dir=Path(tmp_path_factory.mktemp("cache")))


@pytest.mark.parametrize(
    ("text", "agents"),
    [
        ("roll back DEP-1030 on web n write a status page note abt it", {"ops", "content"}),
        ("refund INV-1120 pls reply on TCK-1088 that its done", {"billing", "support"}),
        ("Ticket TCK-1090\n\nInternal: pls roll back DEP-1033, web is down since it", {"ops"}),
    ],
)
def test_the_demo_team_plans_chat_asks_and_ticket_notes(
    demo_planner: LocalPlanner, text: str, agents: set[str]
) -> None:
    plan = demo_planner.plan(text)
    assert {s.agent for s in plan.subtasks} == agents
    assert not any(s.escalate for s in plan.subtasks)
