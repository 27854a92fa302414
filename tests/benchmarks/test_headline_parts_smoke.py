"""Smoke test for benchmarks/headline_parts.py: every row runs and does the work (each final
state is checked inside), and the table has a line per row (figures are not checked)."""

from __future__ import annotations

import pytest

from benchmarks.headline_parts import NO_CHECKPOINTER, main, measure
from benchmarks.systems import HEADLINE, PYTHON_AGENTS, SUPERVISOR


def test_every_row_runs_and_is_printed(capsys: pytest.CaptureFixture[str]) -> None:
    figures = measure(2)
    assert list(figures) == [HEADLINE, NO_CHECKPOINTER, PYTHON_AGENTS, SUPERVISOR]
    assert all(len(wall) == len(cpu) == 2 for wall, cpu in figures.values())
    main(["--requests", "1"])
    lines = capsys.readouterr().out.splitlines()
    assert "load average before" in lines[0]
    assert [line.split("  ")[0] for line in lines[2:]] == list(figures)
