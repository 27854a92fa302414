"""The actions a review item may carry on a run or an output as a whole, not calls of a tool.

Routing a subtask, accepting or releasing an agent's output, retrying a quarantined run: their
names are the interrupt's (graph/nodes/review.py raises them), not words a reviewer needs in a
summary, so `ringmaster.review_queue` leaves them out of what it shows.
"""

from __future__ import annotations

ROUTE_ACTION = "route_subtask"
RELEASE_ACTION = "release_output"
ACCEPT_ACTION = "accept_output"
RETRY_ACTION = "retry_run"
WHOLE_ACTIONS = frozenset({ROUTE_ACTION, RELEASE_ACTION, ACCEPT_ACTION, RETRY_ACTION})
