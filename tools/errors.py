"""Errors raised by tools.

ToolError                 anything a tool refuses or fails at
├── ToolNotFound          the name is not in the registry
├── ToolScopeError        the caller's scopes do not reach the tool
├── ToolArgumentError     the arguments are wrong (unknown record, bad amount …)
├── SideEffectNotAllowed  a side-effecting tool was called directly instead of proposed
└── ApprovalRequired      a limit over many calls (policy `cumulative`) needs a person first
"""


class ToolError(Exception):
    """A tool refused or failed; the message is safe to show to a user."""


class ToolNotFound(ToolError):
    """No tool with that name is registered."""


class ToolScopeError(ToolError):
    """The requester's scopes do not include any scope the tool accepts."""


class ToolArgumentError(ToolError):
    """The tool's arguments do not make sense (unknown id, negative amount …)."""


class SideEffectNotAllowed(ToolError):
    """Side-effecting tools run only after validation (and approval), never inside an agent."""


class ApprovalRequired(ToolError):
    """The call would take a running total over a policy limit: nothing was done, and it may
    run only once a person approves it."""
