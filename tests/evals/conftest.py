"""A tiny team and dataset on disk for the eval tests."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.evals.fakes import ROWS, TEAM_YAML


@pytest.fixture
def team_file(tmp_path: Path) -> Path:
    path = tmp_path / "team.yaml"
    path.write_text(TEAM_YAML, encoding="utf-8")
    return path


@pytest.fixture
def rows_file(tmp_path: Path) -> Path:
    path = tmp_path / "rows.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in ROWS), encoding="utf-8")
    return path
