"""benchmarks/conversation_splits.py: the tuning splits only, and `eval conversations`'s figures."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from benchmarks import conversation_splits as cs

TINY = Path(__file__).parents[1] / "evals" / "data" / "conversations-tiny.jsonl"


def test_the_held_out_set_is_never_a_split(tmp_path: Path) -> None:
    for name in ("conversations", "conversations-dev", "conversations-dev2", "conversations-dev10"):
        (tmp_path / f"{name}.jsonl").write_text("{}\n", encoding="utf-8")
    (tmp_path / "demo-team-dev.jsonl").write_text("{}\n", encoding="utf-8")
    # Even a split that is the held-out file under another name is left out.
    (tmp_path / "conversations-dev9.jsonl").symlink_to(tmp_path / "conversations.jsonl")
    assert cs.dev_splits(tmp_path) == ["dev", "dev2", "dev10"]
    real = cs.dev_splits()
    assert "dev" in real and len(real) >= 18
    assert all(cs.split_file(n).name != cs.HELD_OUT for n in real)


@pytest.mark.parametrize("split", ["../conversations", "", "dev99"])
def test_a_split_that_is_not_a_tuning_split_is_refused(split: str) -> None:
    with pytest.raises(SystemExit) as exc:
        cs.main(["--splits", split])
    assert exc.value.code == 2


def test_the_figures_are_the_eval_commands(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from typer.testing import CliRunner

    from ringmaster.cli_eval import eval_app

    monkeypatch.setenv("RINGMASTER_HOME", str(tmp_path / "home"))
    rows = [json.loads(line) for line in TINY.read_text(encoding="utf-8").splitlines()]
    rows[0]["turns"][0]["agents"] = ["billing"]  # a label the run gets wrong: tiny-1:1
    data = tmp_path / "datasets"
    data.mkdir()
    split = data / "conversations-dev.jsonl"
    split.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    # The held-out set's name beside it, unreadable: reading it would fail the run.
    (data / cs.HELD_OUT).write_text("not a conversation\n", encoding="utf-8")

    cs.main(["--datasets", str(data), "--json"])
    result = json.loads(capsys.readouterr().out)
    command = CliRunner().invoke(eval_app, ["conversations", "--dataset", str(split), "--json"])
    assert command.exit_code == 0, command.output
    said = json.loads(command.stdout)

    got = result["splits"]["dev"]
    assert got["metrics"] == said["metrics"]
    assert said["metrics"]["agent_set_accuracy"] == 0.75
    wrong_agents = [
        f"{t['conversation']}:{t['turn']}"
        for t in said["turns"]
        if set(t["agents"]) != set(t["expected_agents"])
    ]
    assert got["figures"]["agent_set"]["wrong"] == wrong_agents == ["tiny-1:1"]
    assert result["total"]["agent_set"] == {"turns": 4, "hits": 3, "value": 0.75}

    cs.print_table(result)
    line = next(x for x in capsys.readouterr().out.splitlines() if x.startswith("dev "))
    cells = re.split(r"\s{2,}", line)[1:]
    m = said["metrics"]
    assert cells == [
        f"{m['agent_set_accuracy']} (3/4)",
        f"{m['resolution_accuracy']} (1/1)",
        f"{m['clarifying_question_rate']} (1/1)",
        f"{m['ambiguous_acted_on']} of 1",
        f"{m['questions_on_clear_turns']} of 3",
    ]
