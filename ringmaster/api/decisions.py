"""A reviewer's decision from an API body or a web form, handed to the decision service.

The checks themselves (kinds, arguments against the tool's schema, limits, routing targets)
live in ringmaster/decisions.py, so the CLI, the API and the web page refuse the same edits
with the same sentences (422 here) and leave the item pending.
"""

from __future__ import annotations

from ringmaster.api.deps import AppState
from ringmaster.api.schemas import DecisionIn
from ringmaster.decisions import Decision, DecisionService, Edit
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
        # The resume job was queued with the decision; run it here (or wait for the worker
        # that took it). A failing resume is retried, then quarantined: the thread says so.
        with state.hub.tracking(thread_id):
            return runner.drive(thread_id)

    return DecisionService(runner, scheduler=runner.resume_scheduler, resume=resume)
