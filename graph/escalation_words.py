"""What a subtask that no agent took is called, said to the requester and advised to a reviewer.

The planner's reason is for a reviewer: "looks out of scope: P(human) 1.00 > P(billing) 0.00"
told the requester nothing they could use, and "answer it, route it to an agent or reject it"
advised routing where no agent may take it (routing a scope refusal to its best match is
refused again at the decision). The figures stay in the review's blocker and rationale.
"""

from __future__ import annotations

# A subtask out of every agent's scope (`escalation_kind` "out_of_scope"), in a listing's line,
# and told to the requester.
OUT_OF_SCOPE = "no agent on the team handles this"
NO_AGENT_HANDLES_IT = f"{OUT_OF_SCOPE}; a person will look at it"


def for_requester(kind: str | None, reason: str) -> str:
    """The planner's reason for escalating, in the requester's words where it has figures."""
    return NO_AGENT_HANDLES_IT if kind == "out_of_scope" else reason


def reviewer_advice(kind: str | None, reason: str | None) -> str:
    """What a reviewer may do with a subtask no agent took, routing offered only where an
    agent could take it."""
    if not reason:
        return "no agent fits; answer or reject it"
    if kind == "unreachable":
        return (
            f"no agent took it: {reason}, so routing it there would be refused: answer it or "
            "reject it"
        )
    if kind == "out_of_scope":
        return (
            f"no agent took it: {reason}; no agent on the team handles it, so answer it or "
            "reject it"
        )
    return f"no agent took it: {reason}; answer it, route it to an agent or reject it"
