"""What the light default install promises: commands import only what they need, a missing
extra is one line naming it, and data lives in the user data directory unless RINGMASTER_HOME.
(Start-up times themselves are measured by benchmarks/cli_startup.py, not asserted here.)"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from ringmaster.cli import _Commands
from ringmaster.cli_lazy import load_command
from ringmaster.extras import MissingExtra, require
from ringmaster.settings import Settings

ROOT = Path(__file__).resolve().parents[2]
HEAVY = ("langgraph", "langchain_core", "sqlalchemy", "sklearn", "scipy", "numpy", "matplotlib")

# Runs the CLI in-process, then reports which heavy packages that command imported.
PROBE = """
import json, sys
from ringmaster.cli import main
heavy = set(json.loads(sys.argv[2]))
sys.argv = ["ringmaster", *json.loads(sys.argv[1])]
try:
    main()
except SystemExit as exc:
    code = exc.code
else:
    code = 0
loaded = sorted({m.split(".")[0] for m in sys.modules} & heavy)
sys.stderr.write("\\nPROBE " + json.dumps({"code": code, "loaded": loaded}) + "\\n")
"""


def imported_by(args: list[str], home: Path, watch: tuple[str, ...] = HEAVY) -> list[str]:
    env = {**os.environ, "RINGMASTER_HOME": str(home), "PYTHONPATH": str(ROOT)}
    env.pop("RINGMASTER_DB_URL", None)
    proc = subprocess.run(
        [sys.executable, "-c", PROBE, json.dumps(args), json.dumps(watch)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    line = proc.stderr.strip().splitlines()[-1]
    report = json.loads(line.removeprefix("PROBE "))
    assert report["code"] in (0, None), proc.stderr
    return list(report["loaded"])


def test_help_imports_no_heavy_package(tmp_path: Path) -> None:
    assert imported_by(["--help"], tmp_path) == []


def test_review_list_imports_neither_langgraph_nor_scikit_learn(tmp_path: Path) -> None:
    assert imported_by(["review", "list", "--json"], tmp_path) == ["sqlalchemy"]


def test_the_demo_request_imports_no_numpy_scipy_or_scikit_learn(tmp_path: Path) -> None:
    """The demo (local planner, SQLite) runs on the default install, which has none of them:
    it plans from the demo team's shipped model, scored in plain Python."""
    demo = "Refund invoice INV-1004 in full and roll back the api deployment in production."
    loaded = imported_by(["run", demo, "--json"], tmp_path)
    assert "langgraph" in loaded and not {"numpy", "scipy", "sklearn"} & set(loaded)


def test_status_imports_neither_langgraph_nor_langchain(tmp_path: Path) -> None:
    """`ringmaster status` reads the stores and the team file; it runs no graph and sends no
    notification (the outbox's httpx and tenacity stay unloaded)."""
    watch = (*HEAVY, "httpx", "tenacity")
    assert imported_by(["status", "--json"], tmp_path, watch) == ["sqlalchemy"]


@pytest.mark.parametrize("name", sorted(_Commands.lazy_commands))
def test_a_lazy_commands_help_line_is_its_own(name: str) -> None:
    """`ringmaster --help` shows the registered line without importing the command; it must be
    the line the command itself would show."""
    target, line = _Commands.lazy_commands[name]
    assert load_command(name, target).get_short_help_str(limit=300) == line


def test_a_missing_extra_is_one_line_naming_it(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "matplotlib", None)  # import fails as if not installed
    with pytest.raises(MissingExtra) as info:
        require("matplotlib", "reports")
    message = str(info.value)
    assert "\n" not in message and "pip install 'ringmaster[reports]'" in message


def test_postgres_without_the_extra_says_which_to_install(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from ringmaster.tables import make_engine

    monkeypatch.setitem(sys.modules, "psycopg", None)
    with pytest.raises(MissingExtra, match=r"ringmaster\[postgres\]"):
        make_engine("postgresql+psycopg://nobody@127.0.0.1:1/none")


def test_report_plots_without_matplotlib_name_the_reports_extra(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from ringmaster.evals.report import _pyplot

    monkeypatch.setitem(sys.modules, "matplotlib", None)
    with pytest.raises(MissingExtra, match=r"ringmaster\[reports\]"):
        _pyplot()


def test_an_openai_model_without_the_llm_extra_names_it(monkeypatch: pytest.MonkeyPatch) -> None:
    from ringmaster.agents.models import ModelConfig, ModelConfigError, build_chat_model

    monkeypatch.setitem(sys.modules, "langchain_openai", None)
    with pytest.raises(ModelConfigError, match=r"ringmaster\[llm\]"):
        build_chat_model(ModelConfig(name="openai:gpt-4o-mini", api_key="k"))


def test_data_lives_in_the_user_data_dir_unless_ringmaster_home(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    import platformdirs

    monkeypatch.delenv("RINGMASTER_HOME", raising=False)
    assert Settings().home == platformdirs.user_data_path("ringmaster", appauthor=False)
    assert Settings().home.is_absolute()
    monkeypatch.setenv("RINGMASTER_HOME", str(tmp_path))
    assert Settings().home == tmp_path
    assert Settings().app_db_url == f"sqlite:///{tmp_path / 'ringmaster.db'}"


# The CLI with scikit-learn, numpy and scipy missing, as on the light default install.
LIGHT = """
import json, sys
for name in ("numpy", "scipy", "sklearn"):
    sys.modules[name] = None
from ringmaster.cli import main
sys.argv = ["ringmaster", *json.loads(sys.argv[1])]
main()
"""


def _light(args: list[str], home: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "RINGMASTER_HOME": str(home), "PYTHONPATH": str(ROOT)}
    return subprocess.run(
        [sys.executable, "-c", LIGHT, json.dumps(args)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )


def test_a_missing_input_file_is_named_before_a_missing_extra(tmp_path: Path) -> None:
    """`eval run --dataset nope.jsonl` on the light install: the mistake to fix first is the
    path, so it is named (as with the extra installed), not the extra to install."""
    team = str(ROOT / "agents/demo/team.yaml")
    dataset = str(ROOT / "evals/datasets/demo-team-dev.jsonl")
    cases = [
        (
            ["eval", "run", "--dataset", "nope.jsonl", "--team", team],
            "dataset not found: nope.jsonl",
        ),
        (
            ["eval", "run", "--dataset", dataset, "--team=nope.yaml"],
            "team file not found: nope.yaml",
        ),
    ]
    for args, message in cases:
        proc = _light(args, tmp_path)
        assert proc.returncode == 2, proc.stderr
        assert proc.stderr.strip() == f"error: {message}", proc.stderr
    # Inputs that exist: the extra is what is missing, and the message says which.
    proc = _light(["eval", "run", "--dataset", dataset, "--team", team], tmp_path)
    assert proc.returncode == 2 and "pip install 'ringmaster[train]'" in proc.stderr, proc.stderr
