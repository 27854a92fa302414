"""Errors the application shows to users (never as tracebacks).

RingmasterError            anything the user can fix or should know
├── ConfigError            settings or files are missing or wrong
├── NotFound               an unknown thread or review item
├── Conflict               the thing changed under you
│   ├── AlreadyDecided     a review item was decided before (by anyone)
│   └── ThreadBusy         the thread is waiting for reviews, or another process runs it
├── InvalidDecision        a decision that the item does not allow, or malformed arguments
│   └── NotAllowed         the decider may not make it (not a user, disabled, their own request)
└── RunFailed              the run itself failed (an agent or tool crashed); the thread says why
"""


class RingmasterError(Exception):
    """Base class; the message is written for the user."""


class ConfigError(RingmasterError):
    """Settings or a file they name are wrong."""


class NotFound(RingmasterError):
    """No such thread or review item."""


class Conflict(RingmasterError):
    """The state changed: somebody else got there first."""


class AlreadyDecided(Conflict):
    """The review item is no longer pending."""


class ThreadBusy(Conflict):
    """The thread cannot take a new request now."""


class ThreadQuarantined(ThreadBusy):
    """The thread's last run failed for good: no new request until its failure item is decided."""


class InvalidDecision(RingmasterError):
    """The decision does not fit the item."""


class NotAllowed(InvalidDecision):
    """The person deciding may not decide this item; nothing was decided."""


class RunFailed(RingmasterError):
    """The run crashed; its thread is marked failed and its last checkpoint kept."""
