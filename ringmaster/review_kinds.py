"""The kinds of review item, named once: the API's schema and `ringmaster review list --kind`
(its check and its help) both read them here, so the two cannot drift apart.

Its own module, light, so that the CLI's help does not import the API to list them.
"""

from __future__ import annotations

from typing import Literal, get_args

# "failure" is a quarantined run's item (ringmaster/quarantine.py); "unknown", an item whose
# interrupt named no kind (or one this version does not know).
ReviewKind = Literal[
    "routing", "approval", "human_category", "validation_failed", "failure", "unknown"
]
REVIEW_KINDS: tuple[str, ...] = get_args(ReviewKind)

# A decision's type as a reviewer reads it, in `review list` and the daily summary.
DECIDED_AS = {"approve": "approved", "edit": "edited", "reject": "rejected", "respond": "answered"}
