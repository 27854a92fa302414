"""Agent specs, team files, runtimes, the registry; the demo team is `ringmaster.agents.demo`.

The names below are imported on first use (PEP 562), not with the package, so that importing
`ringmaster.agents.errors` stays light (see ringmaster/graph/__init__.py).
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ringmaster.agents.errors import AgentError, AgentRuntimeError, TeamFileError
    from ringmaster.agents.registry import AgentRegistry
    from ringmaster.agents.runtime import AgentOutput, AgentRuntime, AgentTask, Handoff
    from ringmaster.agents.spec import AgentSpec, Team, load_team, parse_team

_WHERE = {
    "AgentError": "errors",
    "AgentRuntimeError": "errors",
    "TeamFileError": "errors",
    "AgentRegistry": "registry",
    "AgentOutput": "runtime",
    "AgentRuntime": "runtime",
    "AgentTask": "runtime",
    "Handoff": "runtime",
    "AgentSpec": "spec",
    "Team": "spec",
    "load_team": "spec",
    "parse_team": "spec",
}

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


def __getattr__(name: str) -> Any:
    if name in _WHERE:
        return getattr(importlib.import_module(f"{__name__}.{_WHERE[name]}"), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
