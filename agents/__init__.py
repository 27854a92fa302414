"""Agent specs, team files, runtimes, the registry; the demo team is `ringmaster.agents.demo`."""

from ringmaster.agents.errors import AgentError, AgentRuntimeError, TeamFileError
from ringmaster.agents.registry import AgentRegistry
from ringmaster.agents.runtime import AgentOutput, AgentRuntime, AgentTask, Handoff
from ringmaster.agents.spec import AgentSpec, Team, load_team, parse_team

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
