"""The statuses a thread row can have, named once: the API's schema (`GET /threads?status=`
and every thread it shows) and `ringmaster thread list --status` (its check and its help) both
read them here, so the two cannot drift apart.

Its own module, light, so that the CLI's help does not import the API to list them.
"""

from __future__ import annotations

from typing import Literal, get_args

# The lifecycle (DESIGN.md): accepted → queued → running → waiting → completed/failed, or
# quarantined; idle before its first request; needs_input: finished, but an agent asked the
# requester back (their answer is the thread's next request). "accepted" is no row's status:
# it is the 202's answer to a request taken (schemas.Accepted), and the row is then queued.
ThreadStatus = Literal[
    "idle",
    "queued",
    "running",
    "waiting",
    "needs_input",
    "completed",
    "failed",
    "quarantined",
    "cancelled",
]
THREAD_STATUSES: tuple[str, ...] = get_args(ThreadStatus)
