"""benchmarks/team_messages.py: which examples each of its two teams has."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any
from unittest import mock

import pytest

from benchmarks import team_messages as tm
from ringmaster.agents.spec import Team, load_team


def test_the_halves_split_the_demo_splits_by_number() -> None:
    odd, even = tm.halves()
    assert "dev" in odd and "dev3" in odd and "dev2" in even and "dev16" in even
    assert not set(odd) & set(even)
    assert sorted(odd + even) == sorted(tm.demo_splits())


def test_with_adds_the_one_part_rows_of_the_source_half_only() -> None:
    odd, even = tm.halves()
    team = load_team(tm.DEMO_TEAM)
    without = tm.without_messages(team)
    added = tm.with_messages(team, odd)
    before = {a.name: a.examples for a in without.agents}
    new = {e: a.name for a in added.agents for e in a.examples[len(before[a.name]) :]}
    assert all(a.examples[: len(before[a.name])] == before[a.name] for a in added.agents)
    source = dict(row for split in odd for row in tm.one_part_rows(split))
    measured = {text for split in even for text, _ in tm.one_part_rows(split)}
    assert new and all(source[text] == agent for text, agent in new.items())
    assert not set(new) & measured
    # taking the messages off again gives back the team without them
    assert [a.examples for a in tm.without_messages(added).agents] == [
        a.examples for a in without.agents
    ]


def test_cut_gives_the_text_the_planner_routes(tmp_path: Path) -> None:
    team = load_team(tm.DEMO_TEAM)
    small = team.model_copy(
        update={"agents": [a.model_copy(update={"examples": a.examples[:6]}) for a in team.agents]}
    )
    routed = tm.routed_texts(small, tmp_path)
    texts = routed("Hi team,\n\nPlease close TCK-1001, the customer confirmed.\n\nThanks,\nDana")
    assert texts == ["Please close TCK-1001, the customer confirmed."]
    # the planner is called as usual outside the spy: route is not left patched
    assert tm.local_planner.route.__module__ == "ringmaster.graph.planner.routing"


def test_humans_are_read_one_a_line_and_added_once(tmp_path: Path) -> None:
    path = tmp_path / "humans.txt"
    path.write_text("Hi,\\n\\nbook me a haircut\\n\\nThanks\n\nwalk my dog at lunchtime\n")
    humans = tm.read_humans(path)
    assert humans == ["Hi,\n\nbook me a haircut\n\nThanks", "walk my dog at lunchtime"]
    team = load_team(tm.DEMO_TEAM)
    added = tm.with_humans(team, humans)
    # the demo team has the second already: only the first is new, at the end
    assert added.human_examples == [*team.human_examples, humans[0]]


def test_oos_rows_are_a_splits_rows_for_no_agent() -> None:
    rows = tm.oos_rows("dev3")
    assert "lunch?" in rows
    one_part = {text for text, _ in tm.one_part_rows("dev3")}
    assert rows and not set(rows) & one_part


def test_a_message_routed_as_one_part_is_added_as_that_part_and_others_whole() -> None:
    odd, _ = tm.halves()
    team = load_team(tm.DEMO_TEAM)
    without = tm.without_messages(team)

    def routed(text: str) -> list[str]:  # a stand-in planner: two parts for a text with a "?"
        return [text, text] if "?" in text else [f"part of {text}"]

    added = tm.with_messages(team, odd, routed)
    before = {a.name: len(a.examples) for a in without.agents}
    new = [e for a in added.agents for e in a.examples[before[a.name] :]]
    whole = [text for text in new if not text.startswith("part of ")]
    assert whole and all("?" in text for text in whole)
    cut = [text.removeprefix("part of ") for text in new if text.startswith("part of ")]
    assert cut and not any("?" in text for text in cut)
    # one example a message, as without the planner
    assert len(new) == sum(
        len(a.examples) - before[a.name] for a in tm.with_messages(team, odd).agents
    )


def test_main_prints_how_many_messages_were_routed_as_one_part_and_orders_the_teams(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    def routed_texts(_team: Team, _cache: Path) -> Callable[[str], list[str]]:
        return lambda text: [text, text] if "?" in text else [text.strip(".")]

    planned: dict[str, Team] = {}

    def measure_all(teams: dict[str, Team], *_: object) -> dict[str, Any]:
        planned.update(teams)
        return {name: {} for name in teams}

    humans = tmp_path / "humans.txt"
    humans.write_text("walk my dog?\nbook me a haircut.\n")
    with (
        mock.patch.object(tm, "routed_texts", routed_texts),
        mock.patch.object(tm, "measure_all", measure_all),
    ):
        tm.main(
            ["--seeds", "0", "--cut", "--json", "--humans", str(humans), "--human-floors", "0.3"]
        )
    result = json.loads(capsys.readouterr().out)
    odd, _ = tm.halves()
    team = load_team(tm.DEMO_TEAM)
    without = tm.without_messages(team)
    seen = {e for a in without.agents for e in a.examples} | set(without.human_examples)
    messages = {t for s in odd for t, _ in tm.one_part_rows(s) if t not in seen}
    assert result["messages_added"] == len(messages)
    assert result["messages_one_part"] == sum("?" not in t for t in messages)
    assert 0 < result["messages_one_part"] < result["messages_added"]
    assert list(result["seeds"]["0"]) == [
        "without",
        "without h0.3",
        "without +h",
        "without +h h0.3",
        "with",
        "with h0.3",
        "with +h",
        "with +h h0.3",
    ]
    # the human examples are cut by the same planner: a text it routes as two parts gives both
    added_humans = planned["with +h"].human_examples[len(without.human_examples) :]
    assert added_humans == ["walk my dog?", "book me a haircut"]
    assert planned["with +h h0.3"].routing.human_floor == 0.3
