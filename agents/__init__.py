"""Agent specs, team files, runtimes and the registry; the demo team lives in `agents.demo`."""

from agents.errors import AgentError, AgentRuntimeError, TeamFileError
from agents.registry import AgentRegistry
from agents.runtime import AgentOutput, AgentRuntime, AgentTask, Handoff
from agents.spec import AgentSpec, Team, load_team, parse_team

__all__ = [
    "AgentError",
    "AgentOutput",
    "AgentRegistry",
    "AgentRuntime",
    "AgentRuntimeError",
    "AgentSpec",
    "AgentTask",
    "Handoff",
    "Team",
    "TeamFileError",
    "load_team",
    "parse_team",
]
