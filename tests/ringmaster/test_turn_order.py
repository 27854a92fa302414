"""Which pending reviews a new turn waits for (ringmaster/turn_order.py)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from ringmaster.agents.demo import load_demo_team
from ringmaster.graph.references import kinds_from_team
from ringmaster.review_queue import ReviewItem
from ringmaster.turn_order import blockers

KINDS = kinds_from_team(load_demo_team().entities)


def pending(tool: str, args: dict[str, str], description: str) -> ReviewItem:
    payload = {
        "context": {"subtask": {"description": description}},
        "action_requests": [{"name": tool, "args": args}],
    }
    return ReviewItem(
        id="r1" * 6, thread_id="t", turn=1, subtask_id="s-1", kind="approval",
        agent="support", category=None, priority="normal", requester="ann",
        status="pending", summary=description, payload=payload, decision=None,
        decided_by=None, claimed_by=None, created_at=datetime.now(UTC), decided_at=None,
        resumed_at=None,
    )  # fmt: skip


ERASE = pending("erase_customer_data", {"customer_id": "CUS-1004"}, "erase CUS-1004's data")


@pytest.mark.parametrize(
    ("request_", "waits"),
    [
        # "database" is no form of "data": a read of her other business runs at once. Matched
        # by its start, the action's noun had held it behind the erasure.
        ("which database region is CUS-1004 on?", False),
        # The action itself, in any form, is its work.
        ("is CUS-1004's data erased yet?", True),
    ],
)
def test_a_read_of_a_person_waits_only_when_it_says_the_action(request_: str, waits: bool) -> None:
    found = blockers(request_, [], KINDS, None, [ERASE])
    assert bool(found) is waits, found


def test_the_action_is_said_in_its_inflected_forms() -> None:
    """ "credited", "refunds": the action in another form is still the action."""
    credit = pending("apply_credit", {"customer_id": "CUS-1004"}, "credit CUS-1004 $20")
    for said in ("was CUS-1004 credited?", "what credits does CUS-1004 have?"):
        assert blockers(said, [], KINDS, None, [credit]), said
