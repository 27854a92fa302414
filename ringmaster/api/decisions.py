"""A reviewer's decision from an API body or a web form, handed to the decision service.

The checks themselves (kinds, arguments against the tool's schema, limits, routing targets)
live in ringmaster/decisions.py, so the CLI, the API and the web page refuse the same edits
with the same sentences (422 here) and leave the item pending.
"""

from __future__ import annotations

from ringmaster.api.deps import AppState
from ringmaster.api.schemas import DecisionIn
from ringmaster.decisions import Decision, DecisionService, Edit
from ringmaster.errors import RunFailed
from ringmaster.runner import RunOutcome


def decision_of(body: DecisionIn) -> Decision:
    """The service's decision for an API body (the body's shape is checked by pydantic)."""
    return Decision(
        kind=body.decision,
        edits=tuple(Edit(e.action, e.args) for e in body.edits or []),
        reason=body.reason,
        message=body.message,
    )


def service(state: AppState) -> DecisionService:
    """The decision service over the app's runner; a resume feeds the progress streams."""
    runner = state.runner

    def resume(thread_id: str) -> RunOutcome:
        with state.hub.tracking(thread_id):
            try:
                return runner.resume_thread(thread_id)
            except RunFailed:
                # The decision stands; the resumed run failed and the thread says why.
                return runner.outcome(thread_id)

    return DecisionService(runner, resume=resume)
