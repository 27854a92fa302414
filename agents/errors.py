"""Errors raised while loading or running agents.

AgentError               anything about agents
├── TeamFileError        a team file is missing, unreadable or invalid (the message names the place)
└── AgentRuntimeError    an agent could not be built or run
"""


class AgentError(Exception):
    """Base class; the message is written for the user."""


class TeamFileError(AgentError):
    """The team file is wrong; the message says where and how."""


class AgentRuntimeError(AgentError):
    """An agent runtime could not be loaded or failed."""
