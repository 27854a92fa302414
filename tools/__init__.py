"""Tools that agents call: look-ups, and side effects with approval rules and idempotency."""

from ringmaster.tools.base import Tool, ToolBox, ToolRegistry
from ringmaster.tools.errors import ToolError, ToolNotFound, ToolScopeError

__all__ = ["Tool", "ToolBox", "ToolError", "ToolNotFound", "ToolRegistry", "ToolScopeError"]
