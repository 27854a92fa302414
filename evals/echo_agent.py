"""A placeholder agent for rosters built from data: it only says what it was asked.

Routing evals run the planner alone, but a team file must name a runtime for every agent to
validate; this one lets a generated roster load, and run end to end without side effects.
"""

from __future__ import annotations

from typing import Any

from ringmaster.agents.runtime import AgentTask
from ringmaster.tools.base import ToolBox


def echo(task: AgentTask, tools: ToolBox) -> dict[str, Any]:
    """Return the task back as the summary (no tools, no side effects)."""
    return {"summary": f"received: {task.description}"}
