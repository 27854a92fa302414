"""The wheel as a user installs it: built from this checkout, installed with its default
dependencies into a fresh virtual environment next to the OpenAI Agents SDK (whose import name,
`agents`, ringmaster once shipped as a top-level package), then the demo request and an
approval through the installed `ringmaster` script, run from an unrelated directory.

It builds and installs real packages, so it takes minutes: `pytest -m "not slow"` (or
`make test-fast`) leaves it out; `make test` and CI run it.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path
from typing import Any

import pytest

# One worker builds the wheel once (a module fixture) under `-n`; tests/conftest.py starts the
# slow tests first, so that the rest of the suite runs beside them rather than after them.
pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("wheel")]

ROOT = Path(__file__).resolve().parents[1]
DEMO = (
    "Refund invoice INV-1004 in full, the customer cancelled, and roll back the api deployment "
    "in production, then draft a status update about the rollback."
)
# Not part of the checkout a wheel is built from.
SKIP = shutil.ignore_patterns(
    ".git", ".venv", "build", "dist", "*.egg-info", "__pycache__", ".ringmaster", ".*_cache"
)


def run(cmd: list[str], **kwargs: Any) -> subprocess.CompletedProcess[str]:
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=1200, **kwargs)
    assert proc.returncode == 0, f"{cmd}: {proc.stderr[-3000:]}"
    return proc


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The wheel, built from a copy of the checkout (the build leaves nothing in the tree)."""
    tmp = tmp_path_factory.mktemp("wheel")
    src = tmp / "src"
    shutil.copytree(ROOT, src, symlinks=True, ignore=SKIP)
    out = tmp / "dist"
    # The test environment's setuptools builds it: no build-time download.
    run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q",
         "-w", str(out), str(src)])  # fmt: skip
    (built,) = out.glob("ringmaster-*.whl")
    return built


def test_the_wheel_ships_one_top_level_package_and_its_migrations(wheel: Path) -> None:
    names = zipfile.ZipFile(wheel).namelist()
    top = {n.split("/")[0] for n in names if not n.split("/")[0].endswith(".dist-info")}
    assert top == {"ringmaster"}
    assert "ringmaster/migrations/versions/0001_initial_schema.py" in names
    assert "ringmaster/migrations/env.py" in names
    assert "ringmaster/agents/demo/team.yaml" in names  # data files through the symlinks
    shipped = [n for n in names if n.startswith("ringmaster/graph/planner/models/")]
    assert any(n.endswith(".json") for n in shipped)  # the demo team's fitted planner model
    # The eval datasets are read from a checkout, by `ringmaster eval` only: not in the wheel.
    assert not [n for n in names if n.startswith("ringmaster/evals/datasets/")]
    assert "ringmaster/evals/runner.py" in names
    meta = next(n for n in names if n.endswith(".dist-info/METADATA"))
    text = zipfile.ZipFile(wheel).read(meta).decode()
    assert "License-Expression: Apache-2.0" in text
    assert any(n.endswith(".dist-info/licenses/LICENSE") for n in names)


def test_installed_next_to_openai_agents_it_runs_the_demo_and_an_approval(
    wheel: Path, tmp_path: Path
) -> None:
    venv = tmp_path / "venv"
    run([sys.executable, "-m", "venv", str(venv)])
    python, script = venv / "bin" / "python", venv / "bin" / "ringmaster"
    pip = [str(python), "-m", "pip", "install", "-q", "--disable-pip-version-check"]
    run([*pip, "openai-agents"])
    run([*pip, str(wheel)])  # after the SDK: a clashing `agents/` would overwrite its files

    # The SDK is intact and still what `import agents` finds; the default install is light: no
    # extra's packages, no scikit-learn, SciPy or numpy (the demo plans from its shipped model).
    probe = (
        "import importlib.util, json, agents, ringmaster.agents.demo as d; "
        "print(json.dumps({'sdk': hasattr(agents, 'Runner') and hasattr(agents, 'Agent'), "
        "'agents_file': agents.__file__, 'team': d.TEAM_FILE.is_file(), "
        "'missing': [m for m in ('matplotlib', 'psycopg', 'langchain_openai', 'torch', "
        "'sklearn', 'scipy', 'numpy') if importlib.util.find_spec(m) is not None]}))"
    )
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    facts = json.loads(run([str(python), "-c", probe], cwd=elsewhere).stdout)
    assert facts["sdk"] and "site-packages/agents/" in facts["agents_file"]
    assert facts["team"] and facts["missing"] == []
    run([*pip[:3], "check"])  # no broken or conflicting requirements

    env = {k: v for k, v in os.environ.items() if not k.startswith("RINGMASTER_")}
    env.pop("PYTHONPATH", None)
    env["RINGMASTER_HOME"] = str(tmp_path / "home")

    def cli(*args: str) -> Any:
        proc = run([str(script), *args, "--json"], cwd=elsewhere, env=env)
        return json.loads(proc.stdout)

    out = cli("run", DEMO)
    assert out["status"] == "waiting"
    assert [s["agent"] for s in out["plan"]["subtasks"]] == ["billing", "ops", "content"]
    pending = {p["agent"]: p["id"] for p in out["pending"]}
    assert set(pending) == {"billing", "ops"}

    listed = cli("review", "list")
    assert {i["id"] for i in listed} == set(pending.values())
    after = cli("review", "approve", pending["billing"])
    assert after["results"][out["plan"]["subtasks"][0]["id"]]["status"] == "done"
    assert [i["id"] for i in cli("review", "list")] == [pending["ops"]]

    # The data went to RINGMASTER_HOME, at the migrations' head; nothing into the directory
    # the commands ran from.
    assert (tmp_path / "home" / "ringmaster.db").is_file()
    assert list(elsewhere.iterdir()) == []
    assert cli("db", "current")["up_to_date"] is True
