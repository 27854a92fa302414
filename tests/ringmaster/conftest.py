"""Fixtures the CLI tests share: a `Cli` on a fresh home, the planner trained once per session."""

from tests.ringmaster.test_cli import (  # noqa: F401 (re-exported fixtures)
    cli,
    cli_each_backend,
    cli_in_process,
    planner_cache,
)
