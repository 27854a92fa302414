"""The fitted models shipped in the package are what training gives today, and a planner without
scikit-learn plans from them (or says in one line which extra trains a team it has no model for).

The retraining needs the `train` extra, as CI has it; the light-install tests run in a child
process where numpy, SciPy and scikit-learn cannot be imported."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from ringmaster.graph.planner.local import SHIPPED_MODELS
from ringmaster.graph.planner.models.build import fitted, shipped_teams
from ringmaster.graph.planner.scoring import unpack

ROOT = Path(__file__).resolve().parents[2]
# Floats a retrain may move in the last digits on another machine; anything more is a new model.
TOLERANCE = 1e-6
DEMO = (
    "Refund invoice INV-1004 in full, the customer cancelled, and roll back the api deployment "
    "in production, then draft a status update about the rollback."
)


def _close(expected: Any, got: Any, where: str = "") -> None:
    """Equal, floats (and packed float arrays) within TOLERANCE."""
    if isinstance(expected, dict):
        assert isinstance(got, dict) and expected.keys() == got.keys(), where
        for k in expected:
            packed = k in ("idf", "coef") or where.endswith("coef")
            if packed and isinstance(expected[k], str):
                a, b = unpack(expected[k]), unpack(got[k])
                assert len(a) == len(b) and max(map(abs, map(float.__sub__, a, b))) <= TOLERANCE
            else:
                _close(expected[k], got[k], f"{where}.{k}")
    elif isinstance(expected, list) and where.endswith(".coef"):
        assert len(expected) == len(got), where
        for a, b in zip(expected, got, strict=True):
            x, y = unpack(a), unpack(b)
            assert len(x) == len(y) and max(map(abs, map(float.__sub__, x, y))) <= TOLERANCE
    elif isinstance(expected, list):
        assert isinstance(got, list) and len(expected) == len(got), where
        for i, (a, b) in enumerate(zip(expected, got, strict=True)):
            _close(a, b, f"{where}[{i}]")
    elif isinstance(expected, float):
        assert abs(expected - got) <= TOLERANCE, where
    else:
        assert expected == got, where


@pytest.mark.long  # trains the demo team's cutter
def test_every_shipped_model_is_what_training_gives_now() -> None:
    names = set()
    for team in shipped_teams():
        name, doc = fitted(team)
        path = SHIPPED_MODELS / name
        assert path.is_file(), (
            f"no shipped model {name} for team {team.name!r}: its examples or the training "
            "changed; run python -m ringmaster.graph.planner.models.build"
        )
        _close(doc, json.loads(path.read_text(encoding="utf-8")))
        names.add(name)
    assert {p.name for p in SHIPPED_MODELS.glob("*.json")} == names  # nothing stale left


def _light(code: str, tmp_path: Path) -> subprocess.CompletedProcess[str]:
    """`code` in a child Python where numpy, SciPy and scikit-learn cannot be imported."""
    block = "import sys\nfor m in ('numpy', 'scipy', 'sklearn'):\n    sys.modules[m] = None\n"
    env = {k: v for k, v in os.environ.items() if not k.startswith("RINGMASTER_")}
    env["RINGMASTER_HOME"] = str(tmp_path / "home")
    env["PYTHONPATH"] = str(ROOT)
    return subprocess.run(
        [sys.executable, "-c", block + code],
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
        timeout=300,
    )


def _light_cli(args: list[str], tmp_path: Path) -> subprocess.CompletedProcess[str]:
    """`ringmaster ARGS` through the real entry point, in a child without the train extra."""
    return _light(
        f"from ringmaster.cli import main\nsys.argv = ['ringmaster', *{args!r}]\nmain()\n", tmp_path
    )


def test_without_scikit_learn_the_demo_plans_from_the_shipped_model(tmp_path: Path) -> None:
    code = (
        "import json\n"
        "from ringmaster.agents.demo import load_demo_team\n"
        "from ringmaster.graph.planner.local import LocalPlanner\n"
        f"p = LocalPlanner(load_demo_team(), cache_dir={str(tmp_path / 'cache')!r})\n"
        f"plan = p.plan({DEMO!r})\n"
        "print(json.dumps({'trained': p.trained, 'modules': sorted(m for m in "
        "('numpy', 'scipy', 'sklearn') if sys.modules.get(m) is not None), "
        "'plan': [[s.agent, s.depends_on, s.escalate] for s in plan.subtasks]}))\n"
    )
    proc = _light(code, tmp_path)
    assert proc.returncode == 0, proc.stderr[-3000:]
    out = json.loads(proc.stdout)
    assert out["trained"] is False and out["modules"] == []
    assert out["plan"] == [["billing", [], False], ["ops", [], False], ["content", ["t2"], False]]


def test_planning_from_the_shipped_model_removes_the_teams_superseded_cache_files(
    tmp_path: Path,
) -> None:
    from ringmaster.agents.demo import load_demo_team
    from ringmaster.graph.planner.local import LocalPlanner

    team = load_demo_team()
    cache = tmp_path / "cache"
    probe = LocalPlanner(team, cache_dir=cache)
    assert not probe.trained and probe.cache_path is not None
    tag = probe.cache_path.name.split("-")[2]
    # An earlier release's pickled model of the same team, and another team's model.
    old = cache / f"local-planner-{tag}-{'0' * 32}.pkl"
    other = cache / f"local-planner-0badcafe-{'1' * 32}.json"
    cache.mkdir(exist_ok=True)
    old.write_bytes(b"x" * 1000)
    other.write_bytes(b"{}")
    planner = LocalPlanner(team, cache_dir=cache)
    assert not planner.trained
    assert not old.exists() and other.exists()


def test_without_scikit_learn_a_team_with_no_model_is_one_line_naming_the_extra(
    tmp_path: Path,
) -> None:
    import yaml

    from ringmaster.agents.demo import TEAM_FILE

    # The demo team with one more example: a team no shipped model was trained on.
    spec = yaml.safe_load(TEAM_FILE.read_text(encoding="utf-8"))
    spec["name"] = "kitchen"
    spec["agents"][0]["examples"].append("boil the pasta")
    team = tmp_path / "team.yaml"
    team.write_text(yaml.safe_dump(spec), encoding="utf-8")
    env_code = f"import os\nos.environ['RINGMASTER_TEAM_FILE'] = {str(team)!r}\n"
    code = env_code + (
        "from ringmaster.cli import main\nsys.argv = ['ringmaster', 'run', 'boil pasta']\nmain()\n"
    )
    proc = _light(code, tmp_path)
    assert proc.returncode == 2, proc.stderr[-3000:]
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and "pip install 'ringmaster[train]'" in lines[0], proc.stderr
    assert "kitchen" in lines[0] and "Traceback" not in proc.stderr


def test_without_scikit_learn_serving_a_team_with_no_model_is_one_line(tmp_path: Path) -> None:
    """Not a traceback from uvicorn's start-up: checked before the server starts."""
    import yaml

    from ringmaster.agents.demo import TEAM_FILE

    spec = yaml.safe_load(TEAM_FILE.read_text(encoding="utf-8"))
    spec["name"] = "kitchen"
    spec["agents"][0]["examples"].append("boil the pasta")
    team = tmp_path / "team.yaml"
    team.write_text(yaml.safe_dump(spec), encoding="utf-8")
    code = (
        "import os, uvicorn\n"
        f"os.environ['RINGMASTER_TEAM_FILE'] = {str(team)!r}\n"
        "uvicorn.run = lambda *a, **k: print('uvicorn started')\n"
        # --port 0: whatever else on the machine listens on 8000, the check meets the team first.
        "from ringmaster.cli import main\n"
        "sys.argv = ['ringmaster', 'serve', '--port', '0']\nmain()\n"
    )
    proc = _light(code, tmp_path)
    assert proc.returncode == 2, (proc.stdout, proc.stderr[-3000:])
    assert "uvicorn started" not in proc.stdout
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and "pip install 'ringmaster[train]'" in lines[0], proc.stderr


@pytest.mark.parametrize(
    "args", [["eval", "run", "--dataset", "x.jsonl"], ["eval", "compare", "a", "b"]]
)
def test_without_scikit_learn_eval_is_one_line_naming_the_extra(
    tmp_path: Path, args: list[str]
) -> None:
    # The files exist: a missing one is named first (test_packaging), before the extra.
    for name in ("x.jsonl", "a", "b"):
        (tmp_path / name).write_text('{"text": "hi", "agent": null}\n', encoding="utf-8")
    proc = _light_cli(args, tmp_path)
    assert proc.returncode == 2, proc.stderr[-3000:]
    assert proc.stderr.count("\n") == 1 and "ringmaster[train]" in proc.stderr, proc.stderr


@pytest.mark.parametrize("args", [["eval", "--help"], ["eval", "run", "--help"]])
def test_without_scikit_learn_eval_help_says_which_extra_it_needs(
    tmp_path: Path, args: list[str]
) -> None:
    proc = _light_cli(args, tmp_path)
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert "offline routing evals" in proc.stdout and "ringmaster[train]" in proc.stdout
