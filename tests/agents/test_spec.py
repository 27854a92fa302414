"""Team files: every mistake is a TeamFileError whose message names the problem."""

from __future__ import annotations

from pathlib import Path

import pytest

from ringmaster.agents.demo import TEAM_FILE
from ringmaster.agents.errors import TeamFileError
from ringmaster.agents.spec import load_team, parse_team

TOOLS = {"find_customer", "issue_refund"}


def team(*agents: str, extra: str = "") -> str:
    return "name: t\nagents:\n" + "".join(agents) + extra


def agent(name: str, *, tools: str = "[]", fallback: str = "null") -> str:
    return (
        f"  - name: {name}\n"
        f"    description: does {name} work\n"
        f"    tools: {tools}\n"
        f"    fallback: {fallback}\n"
        f"    runtime: {{kind: python, entry: 'ringmaster.agents.demo.skills:support'}}\n"
    )


def test_a_good_file_parses_and_gets_a_fingerprint() -> None:
    parsed = parse_team(team(agent("a", tools="[find_customer]"), agent("b", fallback="a")),
                        tool_names=TOOLS)  # fmt: skip
    assert parsed.names() == ["a", "b"]
    assert len(parsed.fingerprint) == 64


def test_the_demo_team_file_parses_from_its_text() -> None:
    parsed = parse_team(TEAM_FILE.read_text(), source=str(TEAM_FILE))
    assert len(parsed.agents) == 6


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("agents: [unclosed", "not valid YAML"),
        ("just a string", "expected a mapping with an 'agents' list"),
        ("name: t\n", "expected a mapping with an 'agents' list"),
        ("agents: []\n", "the team has no agents"),
        (team(agent("a", tools="[find_customer, send_fax]")), "unknown tool 'send_fax'"),
        (team(agent("a"), agent("a")), "duplicate agent name 'a'"),
        (team(agent("a", fallback="b"), agent("b", fallback="a")), "fallback cycle: a -> b -> a"),
        (team(agent("a", fallback="a")), "fallback cycle: a -> a"),
        (team(agent("a", fallback="ghost")), "falls back to unknown agent 'ghost'"),
        (team(agent("Bad Name")), r"agents\[0\].*name"),
        (team(agent("a"), extra="colour: blue\n"), "colour"),
        (
            team(agent("a").replace("tools: []", "tools: []\n    capacity: 0")),
            r"agents\[0\] \(a\)\.capacity",
        ),
        (
            team(
                agent("a").replace(
                    "entry: 'ringmaster.agents.demo.skills:support'", "entry: 'nocolon'"
                )
            ),
            r"agents\[0\] \(a\)\.runtime\.entry",
        ),
        (
            team(agent("a").replace("tools: []", "tools: []\n    examples: ['  ']")),
            "examples must not be blank",
        ),
        (
            team(agent("a") + "    checks: {forbidden_patterns: ['(']}\n"),
            r"agents\[0\] \(a\)\.checks\.forbidden_patterns.*not a valid regular expression",
        ),
    ],
    ids=[
        "bad-yaml",
        "not-a-mapping",
        "no-agents-key",
        "empty-team",
        "unknown-tool",
        "duplicate-name",
        "fallback-cycle",
        "self-fallback",
        "unknown-fallback",
        "bad-name",
        "unknown-field",
        "capacity-zero",
        "bad-entry",
        "blank-example",
        "bad-forbidden-pattern",
    ],
)
def test_team_file_errors_name_the_problem(text: str, message: str) -> None:
    with pytest.raises(TeamFileError, match=message) as info:
        parse_team(text, source="team.yaml", tool_names=TOOLS)
    assert str(info.value).startswith("team.yaml")


def test_tool_names_are_only_checked_when_given() -> None:
    parsed = parse_team(team(agent("a", tools="[anything]")))
    assert parsed.agent("a").tools == ["anything"]


def test_a_missing_file_is_a_team_file_error(tmp_path: Path) -> None:
    with pytest.raises(TeamFileError, match="team file not found"):
        load_team(tmp_path / "nope.yaml")


def test_load_team_reads_a_file(tmp_path: Path) -> None:
    path = tmp_path / "team.yaml"
    path.write_text(team(agent("a", tools="[issue_refund]")))
    assert load_team(path, tool_names=TOOLS).names() == ["a"]
    path.write_text(team(agent("a", tools="[nope]")))
    with pytest.raises(TeamFileError, match=f"{path}: agent 'a' names unknown tool 'nope'"):
        load_team(path, tool_names=TOOLS)
