"""Errors the evals raise; each message is written for the person running the eval.

EvalError                  anything about an eval the user can fix
├── DatasetError           a dataset is missing, unreadable or has a bad row (line and field)
├── RunFileError           a saved run is missing or not a run file
├── PlannerUnavailable     the planner named is unknown, will not import, or needs a chat model
└── GateError              a `--fail-under` spec or a tuning request is malformed or cannot be met
"""

from __future__ import annotations


class EvalError(Exception):
    """Base class; the message is written for the user."""


class DatasetError(EvalError):
    """A dataset is wrong; the message says which file, line and field."""


class RunFileError(EvalError):
    """A saved run cannot be read."""


class PlannerUnavailable(EvalError):
    """The planner asked for is unknown, will not import, or needs a model evals/ cannot make."""


class GateError(EvalError):
    """A threshold spec or tuning objective is malformed or unreachable."""
