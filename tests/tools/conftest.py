"""A demo database per test, copied from one build per session."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from ringmaster.tools.base import ToolRegistry
from ringmaster.tools.demo import build_demo_tools, ensure_demo_db


@pytest.fixture(scope="session")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return ensure_demo_db(tmp_path_factory.mktemp("template") / "demo.db")


@pytest.fixture
def db(template: Path, tmp_path: Path) -> Path:
    # A copy of one build per test: the same content (the build is deterministic), faster.
    copy = tmp_path / "demo.db"
    shutil.copyfile(template, copy)
    return ensure_demo_db(copy)


@pytest.fixture
def registry(db: Path) -> ToolRegistry:
    return build_demo_tools(db)
