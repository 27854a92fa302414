"""`make demo` ends by saying where its data is: the decide hint's commands, typed in the
person's shell, find the demo's reviews only with that RINGMASTER_HOME (the Makefile sets it
for the demo's own process alone)."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.skipif(shutil.which("make") is None, reason="no make on this machine")
def test_make_demo_says_which_home_to_export(tmp_path: Path) -> None:
    home = tmp_path / "demo home"
    env = {**os.environ, "RINGMASTER_HOME": str(home)}
    proc = subprocess.run(
        ["make", "-n", "demo"], cwd=ROOT, env=env, capture_output=True, text=True, check=True
    )
    lines = proc.stdout.splitlines()
    run = next(i for i, line in enumerate(lines) if "ringmaster run" in line)
    assert any(f"export RINGMASTER_HOME='{home}'" in line for line in lines[run + 1 :]), lines
