"""Fixtures the CLI tests share: a `Cli` on a fresh home, the planner trained once per session."""

from tests.ringmaster.test_cli import cli, planner_cache  # noqa: F401 (re-exported fixtures)
