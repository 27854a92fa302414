"""`ringmaster eval …` through Typer's runner, with a scripted planner loaded by `module:attr`."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from ringmaster.agents.spec import load_team
from ringmaster.cli_eval import eval_app

V1 = "tests.evals.fakes:scripted_v1"
V2 = "tests.evals.fakes:scripted_v2"
REQUIRED = {
    "accuracy",
    "routing_accuracy",
    "in_scope_accuracy",
    "agent_set_match",
    "macro_f1",
    "escalation_precision",
    "escalation_recall",
    "escalation_f1",
    "escalation_auroc",
    "ece",
    "latency_p50_ms",
    "latency_p95_ms",
    "model_calls_per_request",
    "tokens_per_request",
}

runner = CliRunner()


def run(*args: str | Path) -> tuple[int, str]:
    result = runner.invoke(eval_app, [str(a) for a in args])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result.exit_code, result.output


def eval_run(
    team: Path, rows: Path, tmp: Path, *extra: str | Path, planner: str = V1
) -> tuple[int, str]:
    return run(
        "run",
        "--dataset",
        rows,
        "--team",
        team,
        "--planner",
        planner,
        "--runs-dir",
        tmp / "runs",
        "--cache-dir",
        tmp / "cache",
        *extra,
    )


def test_run_json_has_every_required_metric(
    team_file: Path, rows_file: Path, tmp_path: Path
) -> None:
    code, output = eval_run(team_file, rows_file, tmp_path, "--json")
    assert code == 0, output
    data = json.loads(output)
    assert REQUIRED <= set(data["metrics"])
    # v1: right on rows 1, 3, 4 (the escalation included) -> 3/4
    assert data["metrics"]["accuracy"] == pytest.approx(0.75)
    assert data["metrics"]["escalation_recall"] == 1.0
    assert Path(data["run"]).exists()


def test_fail_under_exits_1_naming_each_metric(
    team_file: Path, rows_file: Path, tmp_path: Path
) -> None:
    code, output = eval_run(
        team_file,
        rows_file,
        tmp_path,
        "--fail-under",
        "accuracy=0.9,escalation_f1=0.5,macro_f1=0.99",
    )
    assert code == 1
    assert "accuracy 0.7500 is below 0.9" in output
    assert "FAIL: macro_f1 0.7778 is below 0.99" in output
    assert "FAIL: escalation_f1" not in output


def test_fail_under_passes_at_or_above_the_bars(
    team_file: Path, rows_file: Path, tmp_path: Path
) -> None:
    code, output = eval_run(
        team_file, rows_file, tmp_path, "--fail-under", "accuracy=0.75,escalation_f1=0.7", "--json"
    )
    assert code == 0, output
    assert json.loads(output)["gate"]["passed"] is True


@pytest.mark.parametrize("spec", ["accuracy", "nonsense=0.5", "accuracy=high", "ece=0.1"])
def test_bad_fail_under_spec_exits_2(
    team_file: Path, rows_file: Path, tmp_path: Path, spec: str
) -> None:
    code, output = eval_run(team_file, rows_file, tmp_path, "--fail-under", spec)
    assert code == 2 and "--fail-under" in output and "Traceback" not in output


def test_missing_files_and_bad_rows_exit_2(
    team_file: Path, rows_file: Path, tmp_path: Path
) -> None:
    code, output = eval_run(team_file, tmp_path / "missing.jsonl", tmp_path)
    assert code == 2 and "dataset not found" in output
    code, output = eval_run(tmp_path / "missing.yaml", rows_file, tmp_path)
    assert code == 2 and "team file not found" in output
    bad = tmp_path / "bad.jsonl"
    bad.write_text(rows_file.read_text() + '{"text": "x", "agents": ["alpha"]}\n')
    code, output = eval_run(team_file, bad, tmp_path, "--json")
    assert code == 2
    assert "bad.jsonl:5: field 'escalate'" in json.loads(output)["error"]


def test_a_team_file_that_is_not_yaml_is_one_line_naming_where(
    rows_file: Path, tmp_path: Path
) -> None:
    """PyYAML's own message took four lines on `eval run` (and named "<unicode string>",
    not the file's line): now one, with the line and column where it breaks."""
    team = tmp_path / "team.yaml"
    team.write_text("agents:\n  - name: a\n    description: [x\n")
    code, output = eval_run(team, rows_file, tmp_path)
    assert code == 2
    (line,) = output.strip().splitlines()
    assert line == (
        f"error: {team}: not valid YAML: line 4, column 1: did not find expected ',' or ']' "
        "(while parsing a flow sequence from line 3, column 18)"
    )


def test_unavailable_planners_exit_2(team_file: Path, rows_file: Path, tmp_path: Path) -> None:
    code, output = eval_run(team_file, rows_file, tmp_path, planner="llm")
    assert code == 2 and "RINGMASTER_PLANNER_MODEL" in output  # llm needs a model
    code, output = eval_run(team_file, rows_file, tmp_path, planner="nope")
    assert code == 2 and "unknown planner" in output
    for entry in ("tests.evals.fakes:no_such_factory", "no_such_module:factory"):
        code, output = eval_run(team_file, rows_file, tmp_path, planner=entry)
        assert code == 2 and f"cannot load planner factory {entry!r}" in output


def test_reports_are_written(team_file: Path, rows_file: Path, tmp_path: Path) -> None:
    html, md = tmp_path / "r.html", tmp_path / "r.md"
    code, output = eval_run(team_file, rows_file, tmp_path, "--report", html, "--markdown", md)
    assert code == 0, output
    assert "accuracy" in output  # the Rich table
    page = html.read_text()
    assert page.count("data:image/png;base64,") == 2  # confusion matrix and reliability curve
    assert "| accuracy | 0.7500 |" in md.read_text()


def test_existing_report_files_are_kept_unless_forced(
    team_file: Path, rows_file: Path, tmp_path: Path
) -> None:
    """`--report` and `--markdown` replaced whatever was there; like every other `--out`, an
    existing file is refused in one line, before the run (none is saved), and --force
    replaces it."""
    runs = tmp_path / "runs"
    for option in ("--report", "--markdown"):
        kept = tmp_path / f"precious{option}.txt"
        kept.write_text("keep me\n")
        saved = sorted(runs.glob("*")) if runs.exists() else []
        code, output = eval_run(team_file, rows_file, tmp_path, option, kept)
        assert code == 2 and "exists" in output and "--force" in output, (option, output)
        assert len(output.strip().splitlines()) == 1, output
        assert kept.read_text() == "keep me\n"
        assert (sorted(runs.glob("*")) if runs.exists() else []) == saved  # refused before running
        code, output = eval_run(team_file, rows_file, tmp_path, option, kept, "--force")
        assert code == 0, output
        assert kept.read_text() != "keep me\n"


def test_a_report_with_no_folder_to_go_in_is_refused_before_the_run(
    team_file: Path, rows_file: Path, tmp_path: Path
) -> None:
    """`--report nowhere/r.html` ran the eval, saved the run, then failed to write the report;
    it is refused in one line first, as `status --output` refuses one."""
    for option in ("--report", "--markdown"):
        code, output = eval_run(team_file, rows_file, tmp_path, option, tmp_path / "no" / "r")
        assert code == 2 and f"{option}: no folder" in output, (option, output)
        assert len(output.strip().splitlines()) == 1, output
        assert not (tmp_path / "runs").exists()  # refused before running


def test_compare_finds_flipped_rows(team_file: Path, rows_file: Path, tmp_path: Path) -> None:
    runs = []
    for planner in (V1, V2):
        code, output = eval_run(
            team_file, rows_file, tmp_path / planner[-2:], "--json", planner=planner
        )
        assert code == 0, output
        runs.append(json.loads(output)["run"])
    code, output = run("compare", *runs, "--json")
    assert code == 0, output
    data = json.loads(output)
    assert data["same_dataset"] and data["rows_compared"] == 4
    assert [r["text"] for r in data["flipped"]["right_to_wrong"]] == ["reset password please"]
    assert [r["text"] for r in data["flipped"]["wrong_to_right"]] == ["pay the invoice"]
    assert data["deltas"]["accuracy"]["delta"] == 0.0
    code, output = run("compare", *runs)
    assert code == 0 and "right → wrong: 1 row(s)" in output
    code, output = run("compare", runs[0], tmp_path / "nope.json")
    assert code == 2 and "run file not found" in output


LABELLED = [
    {"text": "reset my password", "intent": "account"},
    {"text": "i cannot log in to my account", "intent": "account"},
    {"text": "unlock my account please", "intent": "account"},
    {"text": "pay my invoice", "intent": "billing"},
    {"text": "refund the invoice charge", "intent": "billing"},
    {"text": "what is the weather", "intent": "oos"},
]


@pytest.fixture
def labelled(tmp_path: Path) -> Path:
    path = tmp_path / "labelled.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in LABELLED))
    return path


def build_team(labelled: Path, out: Path) -> tuple[int, str]:
    options = ["--label", "intent", "--examples-per-agent", "2", "--out", out]
    options += ["--classifier", "tfidf"]  # whatever is installed
    return run("build-team", "--dataset", labelled, *options)


def test_build_team_and_convert(labelled: Path, tmp_path: Path) -> None:
    team_path, rows_path = tmp_path / "team.yaml", tmp_path / "rows.jsonl"
    code, output = build_team(labelled, team_path)
    assert code == 0, output
    team = load_team(team_path)
    assert team.names() == ["account", "billing"]
    assert len(team.agent("account").examples) == 2
    assert team.human_examples == ["what is the weather"]
    assert "account" in team.agent("account").description.lower()
    assert team.agent("account").runtime.entry == "ringmaster.evals.echo_agent:echo"
    again = tmp_path / "again.yaml"
    code, output = build_team(labelled, again)
    assert code == 0, output
    assert again.read_text() == team_path.read_text()  # the sample is seeded

    code, output = run("convert", "--dataset", labelled, "--label", "intent", "--out", rows_path)
    assert code == 0 and "6 rows, 1 escalations" in output
    rows = [json.loads(line) for line in rows_path.read_text().splitlines()]
    assert rows[0] == {
        "text": "reset my password",
        "agents": ["account"],
        "escalate": False,
        "subtasks": 1,
        "tags": ["one-part"],
    }
    assert rows[-1]["escalate"] is True and rows[-1]["agents"] == []


def test_convert_names_line_and_field(tmp_path: Path) -> None:
    path = tmp_path / "l.jsonl"
    path.write_text('{"text": "a", "intent": "x"}\n{"text": "b"}\n')
    code, output = run("convert", "--dataset", path, "--label", "intent", "--out", tmp_path / "o")
    assert code == 2 and "l.jsonl:2: field 'intent'" in output


def test_tune_threshold_writes_the_team_file(
    team_file: Path, rows_file: Path, tmp_path: Path
) -> None:
    code, output = run(
        "tune-threshold",
        "--dataset",
        rows_file,
        "--team",
        team_file,
        "--planner",
        V1,
        "--objective",
        "accuracy",
        "--cache-dir",
        tmp_path / "cache",
        "--write",
        "--json",
    )
    assert code == 0, output
    data = json.loads(output)
    # Escalating "pay the invoice" (top 0.6, margin 0.3) fixes nothing: accuracy stays 3/4,
    # so the lowest thresholds win the tie, and the measured run agrees with the simulation.
    assert data["simulated"]["accuracy"] == pytest.approx(0.75)
    assert data["measured"]["accuracy"] == pytest.approx(0.75)
    team = load_team(team_file)
    assert team.routing.confidence_floor == data["chosen"]["confidence_floor"]
    assert team_file.read_text().startswith("# a tiny team for eval tests")  # comments kept


def test_convert_writes_multi_label_rows(tmp_path: Path) -> None:
    path, out = tmp_path / "multi.jsonl", tmp_path / "rows.jsonl"
    rows = [
        {"text": "add it to my playlist and play it", "intents": ["AddToPlaylist", "PlayMusic"]},
        {"text": "play some jazz", "intents": ["PlayMusic"]},
        {"text": "what is the meaning of life", "intents": "oos"},
    ]
    path.write_text("".join(json.dumps(r) + "\n" for r in rows))
    code, output = run("convert", "--dataset", path, "--label", "intents", "--out", out)
    assert code == 0 and "3 rows, 1 escalations, 1 multi-part" in output, output
    written = [json.loads(line) for line in out.read_text().splitlines()]
    assert written[0]["agents"] == ["addtoplaylist", "playmusic"]
    assert (written[0]["subtasks"], written[0]["tags"][0]) == (2, "multi-part")
    assert written[1]["agents"] == ["playmusic"] and written[1]["subtasks"] == 1
    assert written[2]["escalate"] is True


def test_rows_without_a_label_are_skipped_only_when_asked(tmp_path: Path) -> None:
    path = tmp_path / "gaps.jsonl"
    rows = [*LABELLED, {"text": "no label here"}, {"text": "empty", "intent": ""}]
    path.write_text("".join(json.dumps(r) + "\n" for r in rows))
    team = tmp_path / "team.yaml"
    args = ("build-team", "--dataset", path, "--label", "intent", "--out", team)
    code, output = run(*args)
    assert code == 2 and "gaps.jsonl:7" in output and "--skip-unlabelled" in output
    assert not team.exists()
    code, output = run(*args, "--skip-unlabelled", "--json")
    assert code == 0, output
    assert json.loads(output)["skipped_unlabelled"] == 2
    assert load_team(team).names() == ["account", "billing"]
    code, output = run(
        "convert", "--dataset", path, "--label", "intent", "--out", tmp_path / "r.jsonl",
        "--skip-unlabelled",
    )  # fmt: skip
    assert code == 0 and "skipped 2 row(s) without a label" in output, output


def test_a_file_with_no_labelled_row_says_so_and_writes_nothing(tmp_path: Path) -> None:
    path = tmp_path / "bare.jsonl"
    path.write_text("".join(json.dumps({"text": t}) + "\n" for t in ("one", "two")))
    for command in ("convert", "build-team"):
        out = tmp_path / f"{command}.out"
        args = ("--dataset", path, "--label", "intent", "--out", out, "--skip-unlabelled")
        code, output = run(command, *args)
        assert code == 2 and "no row has a 'intent' label (2 skipped" in output, output
        assert "oos" not in output and not out.exists()


def test_a_one_agent_team_says_no_routing_block_was_chosen(tmp_path: Path) -> None:
    path = tmp_path / "one.jsonl"
    rows = [{"text": f"water the garden {n}", "kind": "garden"} for n in range(5)]
    path.write_text("".join(json.dumps(r) + "\n" for r in rows))
    team = tmp_path / "team.yaml"
    args = ("build-team", "--dataset", path, "--label", "kind", "--out", team)
    code, output = run(*args, "--classifier", "tfidf")
    assert code == 0 and "1 agent, 5 examples" in output, output
    assert "routing: none chosen (too few agents" in output
    assert load_team(team).names() == ["garden"]


@pytest.mark.parametrize("share", ["-0.1", "1.5", "nan"])
def test_max_escalated_outside_zero_to_one_is_refused(tmp_path: Path, share: str) -> None:
    team = tmp_path / "team.yaml"
    args = ("build-team", "--dataset", _topic_rows(tmp_path), "--label", "kind", "--out", team)
    code, output = run(*args, "--classifier", "tfidf", "--max-escalated", share)
    assert code == 2 and "--max-escalated must be a share from 0 to 1" in output, output
    assert len(output.strip().splitlines()) == 1 and not team.exists()


LOCAL_TEAM = """
name: tiny
agents:
  - name: account
    description: Accounts, logins and passwords.
    examples: [reset my password, i cannot log in, unlock my account]
    runtime: {kind: python, entry: ringmaster.evals.echo_agent:echo}
  - name: billing
    description: Invoices, payments and refunds.
    examples: [pay my invoice, refund the charge, send me the invoice]
    runtime: {kind: python, entry: ringmaster.evals.echo_agent:echo}
"""


def test_eval_files_live_under_ringmaster_home(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    team = tmp_path / "team.yaml"
    team.write_text(LOCAL_TEAM)
    rows = tmp_path / "rows.jsonl"
    rows.write_text(
        json.dumps({"text": "reset my password", "agents": ["account"], "escalate": False})
    )
    work, home, models = tmp_path / "cwd", tmp_path / "home", tmp_path / "models"
    work.mkdir()
    monkeypatch.chdir(work)
    monkeypatch.setenv("RINGMASTER_HOME", str(home))
    monkeypatch.setenv("RINGMASTER_PLANNER_CACHE", str(models))
    code, output = run("run", "--dataset", rows, "--team", team, "--classifier", "tfidf", "--json")
    assert code == 0, output
    data = json.loads(output)
    assert Path(data["run"]).parent == home / "evals" / "runs"
    assert data["config"]["team"]["routing"]["classifier"] == "tfidf"
    assert list(models.glob("local-planner-*.json"))  # the application's model cache
    assert list(work.iterdir()) == []  # nothing written to the current directory
    code, output = run("run", "--dataset", rows, "--team", team, "--classifier", "bert")
    assert code == 2 and "unknown classifier 'bert'" in output


def test_tune_threshold_write_does_not_retrain(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    team = tmp_path / "team.yaml"
    team.write_text(LOCAL_TEAM)
    rows = tmp_path / "rows.jsonl"
    rows.write_text(
        json.dumps({"text": "reset my password", "agents": ["account"], "escalate": False})
        + "\n"
        + json.dumps({"text": "refund me", "agents": ["billing"], "escalate": False})
    )
    monkeypatch.setenv("RINGMASTER_HOME", str(tmp_path / "home"))
    code, output = run("tune-threshold", "--dataset", rows, "--team", team, "--write", "--json")
    assert code == 0, output
    models = tmp_path / "home" / "evals" / "cache" / "planner"
    (model,) = models.glob("local-planner-*")
    before = model.read_bytes()
    code, output = run("run", "--dataset", rows, "--team", team, "--json")
    assert code == 0, output
    assert list(models.glob("local-planner-*")) == [model] and model.read_bytes() == before


@pytest.mark.long  # a process loading torch and MiniLM
def test_json_mode_keeps_stderr_quiet_with_the_hybrid_classifier(tmp_path: Path) -> None:
    pytest.importorskip("sentence_transformers")
    import os
    import subprocess
    import sys

    team = tmp_path / "team.yaml"
    team.write_text(LOCAL_TEAM)
    rows = tmp_path / "rows.jsonl"
    rows.write_text(
        json.dumps({"text": "reset my password", "agents": ["account"], "escalate": False})
    )
    env = {**os.environ, "RINGMASTER_HOME": str(tmp_path / "home")}
    env.pop("RINGMASTER_PLANNER_CACHE", None)
    args = ["--dataset", str(rows), "--team", str(team), "--classifier", "hybrid", "--json"]
    done = subprocess.run(
        [sys.executable, "-m", "ringmaster.cli_eval", "run", *args],
        cwd=Path(__file__).resolve().parents[2],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["config"]["team"]["routing"]["classifier"] == "hybrid"
    assert done.stderr == ""


def _topic_rows(tmp_path: Path, *, mixed: bool = False) -> Path:
    """Three agents' requests; `mixed` ones carry two words of any topic and no agent's name,
    so that some are routed wrong."""
    rng = __import__("random").Random(0)
    topics = {
        "garden": ["water", "mow", "prune", "plant", "weed", "rake"],
        "car": ["wash", "service", "refuel", "repair", "park", "tyre"],
        "pets": ["feed", "walk", "groom", "vet", "bathe", "train"],
    }
    every = [w for words in topics.values() for w in words]
    rows = [
        {"text": f"please {rng.choice(words)} the {agent} {rng.choice(words)} today", "kind": agent}
        if not mixed
        else {
            "text": f"please {rng.choice(words)} the {rng.choice(every)} {rng.choice(every)} today",
            "kind": agent,
        }
        for agent, words in topics.items()
        for _ in range(12)
    ]
    path = tmp_path / "rows.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in rows))
    return path


def test_build_team_writes_a_cross_validated_routing_block(tmp_path: Path) -> None:
    path = _topic_rows(tmp_path)
    team = tmp_path / "team.yaml"
    args = ("build-team", "--dataset", path, "--label", "kind", "--out", team, "--json")
    args += ("--classifier", "tfidf")
    code, output = run(*args, "--max-escalated", "0.05")
    assert code == 0, output
    chosen = json.loads(output)["routing"]
    assert json.loads(output)["fallback_routing"] is None  # a TF-IDF team has no other
    built = load_team(team)
    # Every distinct example is held out once (3 folds, at most 30 per agent a fold).
    assert chosen["held_out"] == sum(len(a.examples) for a in built.agents)
    assert chosen["escalated"] <= 0.05
    routing = built.routing
    assert (routing.confidence_floor, routing.min_margin) == (
        chosen["confidence_floor"],
        chosen["min_margin"],
    )
    assert "cross-validation" in team.read_text()
    code, output = run(*args, "--no-routing", "--force")  # rebuilt in place
    assert code == 0 and json.loads(output)["routing"] is None
    assert "routing:" not in team.read_text()


def test_build_team_warns_when_nothing_measured_requests_outside_the_team(
    tmp_path: Path,
) -> None:
    path = _topic_rows(tmp_path)  # no 'oos' rows
    team = tmp_path / "team.yaml"
    args = ("build-team", "--dataset", path, "--label", "kind", "--out", team)
    code, output = run(*args, "--classifier", "tfidf")
    assert code == 0, output
    assert "warning: no human ('oos') examples: nothing measured how often" in output
    code, output = run(*args, "--classifier", "tfidf", "--json", "--force")
    assert code == 0, output
    (warning,) = json.loads(output)["warnings"]  # the JSON alone: nothing else printed
    assert warning.startswith("no human ('oos') examples")
    humans = [{"text": f"tell me a joke about {w}", "kind": "oos"} for w in ("cats", "rain")]
    with path.open("a") as rows:
        rows.writelines(json.dumps(r) + "\n" for r in humans * 3)
    code, output = run(*args, "--classifier", "tfidf", "--json", "--force")
    chosen = json.loads(output)["routing"]
    assert chosen["out_of_scope"] > 0 and chosen["out_of_scope_caught"] > 0, output
    assert json.loads(output)["warnings"] == []


def test_build_team_warning_counts_a_human_example_too_few_to_hold_out(tmp_path: Path) -> None:
    # One human example is kept to train on, none held out: the warning said "no human
    # ('oos') examples" of a team file that lists one.
    path = _topic_rows(tmp_path)
    with path.open("a") as rows:
        rows.write(json.dumps({"text": "tell me a joke about cats", "kind": "oos"}) + "\n")
    team = tmp_path / "team.yaml"
    args = ("build-team", "--dataset", path, "--label", "kind", "--out", team)
    code, output = run(*args, "--classifier", "tfidf", "--json")
    assert code == 0, output
    done = json.loads(output)
    assert done["human_examples"] == 1 and done["routing"]["out_of_scope"] == 0, output
    (warning,) = done["warnings"]
    assert warning.startswith("only 1 distinct human ('oos') example(s), none held out"), warning
    assert len(load_team(team).human_examples) == 1


def test_build_team_warns_when_no_held_out_human_example_went_to_a_person() -> None:
    from ringmaster.cli_eval import _scope_warnings
    from ringmaster.evals.routing_cv import ChosenRouting

    figures = dict(confidence_floor=0.3, min_margin=0.05, escalated=0.02, routed_accuracy=0.9)
    missed = ChosenRouting(**figures, held_out=40, out_of_scope=6, out_of_scope_caught=0.0)
    (warning,) = _scope_warnings(missed, "oos")
    assert warning.startswith("none of the 6 held-out human examples went to a person")
    caught = ChosenRouting(**figures, held_out=40, out_of_scope=6, out_of_scope_caught=0.5)
    assert _scope_warnings(caught, "oos") == []


def test_build_team_picks_the_hybrids_thresholds_on_its_own_scores(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    pytest.importorskip("sklearn")
    from ringmaster.evals import routing_cv
    from ringmaster.graph.planner import embeddings
    from tests.graph.test_planner_classifiers import HashEncoder

    encoders: list[HashEncoder] = []

    def encoder() -> HashEncoder:
        encoders.append(HashEncoder())
        return encoders[-1]

    monkeypatch.setattr(embeddings, "MiniLMEncoder", encoder)
    path, team = _topic_rows(tmp_path, mixed=True), tmp_path / "team.yaml"
    args = ("build-team", "--dataset", path, "--label", "kind", "--out", team)
    code, output = run(*args, "--classifier", "hybrid", "--max-escalated", "0.2", "--json")
    assert code == 0, output
    built = load_team(team)
    by_agent = {a.name: list(a.examples) for a in built.agents}
    hybrid = routing_cv.choose_routing(by_agent, max_escalated=0.2, classifier="hybrid")
    tfidf = routing_cv.choose_routing(by_agent, max_escalated=0.2)
    assert hybrid is not None and tfidf is not None
    assert hybrid.escalated != tfidf.escalated  # the rows tell the two picks apart
    assert json.loads(output)["routing"]["classifier"] == "hybrid"
    routing = built.routing
    assert routing.classifier == "hybrid"
    assert (routing.confidence_floor, routing.min_margin) == (
        hybrid.confidence_floor,
        hybrid.min_margin,
    )
    fallback = routing.for_classifier("tfidf")  # TF-IDF's own, for a machine without the extra
    assert (fallback.confidence_floor, fallback.min_margin) == (
        tfidf.confidence_floor,
        tfidf.min_margin,
    )
    # Every fold's hybrid embeds through one memo: each distinct example once in all.
    texts = [t for batch in encoders[0].calls for t in batch]
    assert sorted(texts) == sorted({t for ts in by_agent.values() for t in ts})
    # A new user's trial: only the fallback's floor and margin were written, not what they
    # escalate; the printed line, the header and --json now say it, as TF-IDF's own pick.
    assert json.loads(output)["fallback_routing"] == vars(tfidf)
    said = (
        f"fallback (tfidf, without the embeddings extra): confidence_floor "
        f"{tfidf.confidence_floor:g}, min_margin {tfidf.min_margin:g} ({tfidf.escalated:.1%} of "
        f"held-out in-scope examples escalated, {tfidf.by_check:.1%} by the out-of-scope "
        "check)"
    )
    assert f"# {said}." in team.read_text()
    code, output = run(*args, "--classifier", "hybrid", "--max-escalated", "0.2", "--force")
    assert code == 0 and said in output.splitlines(), output
    assert f"min_margin {hybrid.min_margin:g} by cross-validation ({hybrid.escalated:.1%}" in output


def test_build_team_help_says_the_human_examples_are_sampled_too() -> None:
    """`build_team` samples the human examples down to --examples-per-agent as well; the help
    said only "Seeded sample per agent." (a new user's trial)."""
    code, output = run("build-team", "--help")
    assert code == 0
    said = " ".join(output.replace("│", " ").split())
    assert "and of the human (--oos-label) examples" in said, said


@pytest.mark.parametrize("installed", [True, False])
def test_build_team_prefers_the_hybrid_when_the_extra_is_installed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, installed: bool
) -> None:
    from ringmaster.evals import routing_cv
    from ringmaster.graph.planner import embedding_config

    asked: list[str] = []

    def choose(*args: object, classifier: str = "tfidf", **kwargs: object) -> object:
        asked.append(classifier)
        return routing_cv.ChosenRouting(0.1, 0.0, 0.0, 1.0, 1, classifier)

    monkeypatch.setattr(embedding_config, "embeddings_available", lambda: installed)
    monkeypatch.setattr(routing_cv, "choose_routing", choose)
    path, team = _topic_rows(tmp_path), tmp_path / "team.yaml"
    code, output = run("build-team", "--dataset", path, "--label", "kind", "--out", team)
    assert code == 0, output
    want = "hybrid" if installed else "tfidf"
    assert asked[0] == want and load_team(team).routing.classifier == want
    code, output = run("build-team", "--dataset", path, "--label", "kind", "--out", team,
                       "--classifier", "bert")  # fmt: skip
    assert code != 0 and "unknown classifier 'bert'" in output


def test_an_existing_out_file_is_kept_unless_forced(
    tmp_path: Path, labelled: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`--out` of convert, build-team and export-corrections overwrote whatever was there (a
    trial run as root emptied /etc/passwd with `export-corrections --out /etc/passwd`): an
    existing file is refused, one line, unchanged, as `audit export` refuses one; --force
    replaces it."""
    monkeypatch.setenv("RINGMASTER_HOME", str(tmp_path / "home"))  # export-corrections' store
    kept = tmp_path / "precious.txt"
    for args in (
        ("convert", "--dataset", labelled, "--label", "intent"),
        ("build-team", "--dataset", labelled, "--label", "intent", "--no-routing"),
        ("export-corrections",),
    ):
        kept.write_text("keep me\n")
        code, output = run(*args, "--out", kept)
        assert code == 2 and "exists" in output and "--force" in output, (args, output)
        assert len(output.strip().splitlines()) == 1, output
        assert kept.read_text() == "keep me\n", args
        code, output = run(*args, "--out", kept, "--force")
        assert code == 0, (args, output)
        assert kept.read_text() != "keep me\n", args


def test_a_path_that_cannot_be_written_is_refused_before_the_run(
    team_file: Path, rows_file: Path, tmp_path: Path
) -> None:
    """`--runs-dir` naming a file ran the whole eval, then ended in a FileExistsError traceback
    (exit 1, the run lost); `--report` in a folder that does not exist, a FileNotFoundError."""
    a_file = tmp_path / "notes.txt"
    a_file.write_text("mine\n", encoding="utf-8")
    for args, said in (
        (("--runs-dir", a_file), f"--runs-dir: {str(a_file)!r} is a file, not a folder"),
        (("--cache-dir", a_file), f"--cache-dir: {str(a_file)!r} is a file, not a folder"),
        (("--report", tmp_path / "no" / "r.html"), "no folder"),
        (("--markdown", tmp_path / "no" / "r.md"), "no folder"),
    ):
        code, output = run(
            "run", "--dataset", rows_file, "--team", team_file, "--planner", V1, *args
        )
        assert code == 2 and said in output, (args, output)
    assert a_file.read_text(encoding="utf-8") == "mine\n"
