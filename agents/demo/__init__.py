"""The demo team: six agents working on the demo company's database and tools."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

from ringmaster.agents.registry import AgentRegistry
from ringmaster.agents.spec import Team, load_team
from ringmaster.tools.demo import DEFAULT_REFUND_LIMIT, build_demo_tools, ensure_demo_db

TEAM_FILE = Path(__file__).with_name("team.yaml")


def demo_tool_names() -> set[str]:
    """The demo tools' names, without a database (the registry binds a path it never opens)."""
    return set(build_demo_tools(Path("unused.db")).names())


def load_demo_team() -> Team:
    """The demo team file, checked against the demo tools."""
    return load_team(TEAM_FILE, tool_names=demo_tool_names())


def demo_registry(db_path: Path, refund_limit: Decimal = DEFAULT_REFUND_LIMIT) -> AgentRegistry:
    """Ensure the demo database at `db_path`, build its tools and the team's registry."""
    path = ensure_demo_db(Path(db_path))
    return AgentRegistry.build(load_demo_team(), build_demo_tools(path, refund_limit=refund_limit))


__all__ = ["TEAM_FILE", "demo_registry", "load_demo_team"]
