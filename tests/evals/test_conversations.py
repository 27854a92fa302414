"""Conversation evals on the demo team: follow-ups resolved, ambiguity asked, nothing guessed."""

from __future__ import annotations

import json
from contextlib import nullcontext
from pathlib import Path

import pytest
from langgraph.checkpoint.memory import InMemorySaver

from ringmaster.evals.conversations import (
    load_conversations,
    run_conversations,
    run_on_team,
    with_classifier,
)
from ringmaster.evals.errors import DatasetError
from ringmaster.settings import Settings
from ringmaster.wiring import build_deps, load_team_and_tools

DATA = Path(__file__).parent / "data" / "conversations-tiny.jsonl"


def test_a_conversation_run_scores_agents_references_and_questions(tmp_path: Path) -> None:
    homes = iter(range(10))
    report = run_conversations(
        load_conversations(DATA),
        lambda: build_deps(Settings(home=tmp_path / f"h{next(homes)}", planner_cache=tmp_path)),
        lambda: nullcontext(InMemorySaver()),
        {"id": "eval", "scopes": ["support", "billing", "ops", "content", "analytics", "legal"]},
    )
    by_turn = {(t.conversation, t.turn): t for t in report.turns}
    follow_up = by_turn["tiny-1", 2]
    assert follow_up.resolved == ["TCK-1001"] and follow_up.agents == ["support"]
    assert follow_up.acted  # the ticket was closed: that turn's side effect ran
    ambiguous = by_turn["tiny-2", 2]
    assert ambiguous.asked and not ambiguous.acted and ambiguous.agents == []
    # what it asked, as the person read it; a turn that asked nothing has none
    assert ambiguous.question and ambiguous.question.endswith("?")
    assert follow_up.question is None
    assert report.metrics() == {
        "conversations": 2,
        "turns": 4,
        "agent_set_accuracy": 1.0,
        "resolution_accuracy": 1.0,
        "referring_turns": 1,
        "clarifying_question_rate": 1.0,
        "ambiguous_turns": 1,
        "ambiguous_acted_on": 0,
        "questions_on_clear_turns": 0,
    }


def test_a_bad_conversation_row_names_its_line(tmp_path: Path) -> None:
    path = tmp_path / "bad.jsonl"
    path.write_text('{"id": "a", "turns": [{"text": "hi"}]}\n{"id": "b"}\n', encoding="utf-8")
    with pytest.raises(DatasetError, match=r"bad.jsonl:2: not a conversation row"):
        load_conversations(path)


@pytest.mark.parametrize(
    ("content", "said"),
    [
        (None, "dataset not found: "),
        (b"\xff\xfe", "not UTF-8 text"),
        (b"\n\n", "the dataset has no rows"),
        (b'{"id": "a", "turns": [{"text": "hi"}]}\n{oops\n', "conv.jsonl:2: not valid JSON"),
    ],
)
def test_a_conversations_file_that_cannot_be_read_is_named(
    tmp_path: Path, content: bytes | None, said: str
) -> None:
    """A missing file was a FileNotFoundError traceback from `ringmaster eval conversations`
    (exit 1), and an empty one scored nothing; they are DatasetErrors, as `eval run` says."""
    path = tmp_path / "conv.jsonl"
    if content is not None:
        path.write_bytes(content)
    with pytest.raises(DatasetError, match=said):
        load_conversations(path)


def test_ids_spelled_in_a_turn_follow_the_teams_entity_patterns() -> None:
    import re

    from ringmaster.evals.conversations import _spelled
    from ringmaster.graph.references import EntityKind

    orders = [EntityKind("order", re.compile(r"#\d{5}"), ("order",))]
    # An id shape the old LETTERS-DIGITS rule missed, and a token it wrongly took for an id.
    assert _spelled("do that for #12345 too, not for SKU-9", orders) == {"#12345"}
    assert _spelled("and CUS-1005?", []) == {"CUS-1005"}  # no entities: the generic rule


def test_the_eval_command_scores_a_file_on_the_configured_team(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from typer.testing import CliRunner

    from ringmaster.cli_eval import eval_app

    monkeypatch.setenv("RINGMASTER_HOME", str(tmp_path / "home"))
    result = CliRunner().invoke(eval_app, ["conversations", "--dataset", str(DATA), "--json"])
    assert result.exit_code == 0, result.output
    out = json.loads(result.stdout)
    assert out["metrics"]["turns"] == 4 and out["metrics"]["ambiguous_acted_on"] == 0
    assert [(t["conversation"], t["turn"]) for t in out["turns"]] == [
        ("tiny-1", 1), ("tiny-1", 2), ("tiny-2", 1), ("tiny-2", 2)
    ]  # fmt: skip


@pytest.mark.parametrize("classifier", ["tfidf", "hybrid"])
def test_a_chosen_classifier_changes_only_the_teams_routing_classifier(
    tmp_path: Path, classifier: str
) -> None:
    base = Settings(home=tmp_path / "home")
    own, _ = load_team_and_tools(base)
    chosen, _ = load_team_and_tools(with_classifier(base, classifier, tmp_path / "files"))
    assert chosen.routing.classifier == classifier
    assert chosen.routing.model_dump(exclude={"classifier"}) == own.routing.model_dump(
        exclude={"classifier"}
    )
    # The demo policy still applies (legal's work waits for a person), nothing else moves but
    # the file's hash.
    left = {"routing", "fingerprint"}
    assert chosen.model_dump(exclude=left) == own.model_dump(exclude=left)


def test_a_chosen_classifier_routes_with_the_thresholds_tuned_for_it(tmp_path: Path) -> None:
    import yaml

    from ringmaster.agents.demo import TEAM_FILE

    data = yaml.safe_load(TEAM_FILE.read_text(encoding="utf-8"))
    data["routing"]["by_classifier"] = {"hybrid": {"confidence_floor": 0.7, "human_floor": 0.2}}
    team_file = tmp_path / "team.yaml"
    team_file.write_text(yaml.safe_dump(data), encoding="utf-8")
    base = Settings(home=tmp_path / "home", team_file=team_file)
    team, _ = load_team_and_tools(with_classifier(base, "hybrid", tmp_path / "files"))
    r = team.routing
    assert (r.classifier, r.confidence_floor, r.human_floor) == ("hybrid", 0.7, 0.2)
    assert r.min_margin == data["routing"]["min_margin"]


def test_a_run_with_the_teams_own_classifier_named_is_the_same_run(tmp_path: Path) -> None:
    conversations = load_conversations(DATA)
    base = Settings(home=tmp_path / "home", planner_cache=tmp_path / "cache")
    named = run_on_team(conversations, base, "tfidf")
    assert named.metrics() == run_on_team(conversations, base).metrics()
    assert named.metrics()["agent_set_accuracy"] == 1.0


@pytest.mark.parametrize(
    ("turn", "said"),
    [
        ('{"text": "refund INV-1002", "resolved": "INV-1002"}', "field 'resolved' must be a list"),
        ('{"text": "refund INV-1002", "agents": "billing"}', "field 'agents' must be a list"),
        ('{"text": "close it", "ambiguous": "false"}', "field 'ambiguous' must be true or false"),
        ('{"text": "close it", "agent": ["support"]}', "unknown field"),
        ('{"text": ""}', "field 'text' must be a non-empty string"),
        ('"close it"', "expected a JSON object"),
    ],
)
def test_a_turn_with_a_mistyped_field_is_refused_not_scored(
    tmp_path: Path, turn: str, said: str
) -> None:
    """A string read where a list belongs was scored as its characters ('INV-1002' as the set of
    'I', 'N', 'V' …), "false" as true and a misspelt field as absent: every such turn counted
    against a label nobody wrote, in figures that looked measured."""
    path = tmp_path / "conv.jsonl"
    path.write_text(f'{{"id": "a", "turns": [{turn}]}}\n', encoding="utf-8")
    with pytest.raises(DatasetError, match=f"conv.jsonl:1: turn 1: {said}"):
        load_conversations(path)


def test_a_turn_naming_an_agent_not_in_the_team_is_refused(tmp_path: Path) -> None:
    from ringmaster.evals.conversations import Conversation, Turn, run_on_team

    turn = Turn("refund INV-1002", frozenset({"biling"}), frozenset(), False)
    with pytest.raises(DatasetError, match=r"turn 1: field 'agents' names \['biling'\]"):
        run_on_team([Conversation("a", [turn])], Settings(home=tmp_path))
