"""The review queue's rows: finding an item by the prefix a person types."""

from __future__ import annotations

from pathlib import Path

import pytest

from ringmaster.errors import NotFound
from ringmaster.review_queue import ReviewQueue
from ringmaster.review_summary import summarize
from ringmaster.settings import Settings
from ringmaster.tables import make_engine
from ringmaster.thread_store import ThreadStore

PAYLOAD = {
    "action_requests": [{"name": "send_email", "args": {}, "description": ""}],
    "review_configs": [{"action_name": "send_email", "allowed_decisions": ["approve"]}],
    "context": {"kind": "approval", "subtask_id": "t1", "requester": {"id": "ann"}},
}


def test_find_takes_a_literal_prefix(tmp_path: Path, db_url: str | None) -> None:
    queue = ReviewQueue(make_engine(Settings(home=tmp_path, db_url=db_url).app_db_url))
    queue.add("th", "abcd1234", PAYLOAD)
    queue.add("th", "abcd5678", PAYLOAD)
    assert queue.find("abcd1").id == "abcd1234"
    with pytest.raises(NotFound, match="more than one"):
        queue.find("abcd")
    for wildcard in ("abc_1", "a%34", "____", "%%%%"):  # LIKE wildcards match nothing here
        with pytest.raises(NotFound, match="no review item"):
            queue.find(wildcard)
    # Threads are found the same way (`thread show` and `chat --thread` take a prefix).
    threads = ThreadStore(queue.engine)
    threads.create("th-abcd1234", "ann")
    threads.create("th-abcd5678", "ann")
    assert threads.find("th-abcd1").id == "th-abcd1234"
    with pytest.raises(NotFound, match="more than one"):
        threads.find("th-abcd")
    with pytest.raises(NotFound):
        threads.find("th-a_c")


@pytest.mark.parametrize(
    ("decisions", "extra", "said"),
    [
        ([{"type": "approve"}], {}, "approved"),
        ([{"type": "edit", "edited_action": {"name": "send_email", "args": {}}}], {}, "edited"),
        ([{"type": "reject", "message": "no"}], {}, "rejected"),
        ([{"type": "respond", "message": "use CUS-1002"}], {}, "answered"),
        ([{"type": "reject"}, {"type": "approve"}], {}, "rejected, approved"),
        ([{"type": "reject"}], {"timed_out": True}, "timed out"),
        ([{"type": "reject"}], {"withdrawn": True}, "withdrawn"),
    ],
)
def test_a_listed_item_says_its_stored_decision(
    tmp_path: Path, decisions: list[dict[str, object]], extra: dict[str, object], said: str
) -> None:
    """`review list --status all` showed approved, edited, rejected and answered items all
    as "resumed": a listed item says the decision stored on it, and nothing while pending."""
    queue = ReviewQueue(make_engine(Settings(home=tmp_path).app_db_url))
    actions = [PAYLOAD["action_requests"][0]] * len(decisions)
    every = ["approve", "edit", "reject", "respond"]
    configs = [{"action_name": "send_email", "allowed_decisions": every}] * len(decisions)
    queue.add("th", "item-1", {**PAYLOAD, "action_requests": actions, "review_configs": configs})
    queue.add("th", "item-2", PAYLOAD)
    queue.decide("item-1", {"decisions": decisions, **extra}, "rita")
    listed = {i.id: i for i in queue.list(status=None)}
    assert listed["item-1"].decided_as == said
    assert listed["item-1"].to_dict(with_payload=False)["decided_as"] == said
    assert listed["item-2"].decided_as is None


def test_a_summary_says_why_once_without_the_interrupts_syntax() -> None:
    """`review list` read "approval: issue_refund: refund of 999.00 is above the 100.00 limit
    [issue_refund]": the kind (a column of its own), the tool twice, in brackets. A tool the
    reason does not name is still said; an action on the run or output as a whole is not."""

    def packet(kind: str, blocker: str, *names: str) -> dict[str, object]:
        actions = [{"name": n, "args": {}} for n in names]
        return {"action_requests": actions, "context": {"kind": kind, "blocker": blocker}}

    why = "issue_refund: refund of 999.00 is above the 100.00 limit"
    assert summarize(packet("approval", why, "issue_refund")) == why
    always = "billing work in category refund always needs a human"
    assert summarize(packet("human_category", always, "issue_refund", "issue_refund")) == (
        f"{always} (calls issue_refund)"
    )
    low = "no agent is confident enough"
    assert summarize(packet("routing", low, "route_subtask")) == low
    assert summarize(packet("validation_failed", "", "accept_output")) == "validation_failed"


def test_a_summary_counts_the_rules_a_call_passes_instead_of_reciting_them() -> None:
    """A refund over its limit and two running totals read "issue_refund: policy: … a person
    must approve it" three times, cut at 500 characters mid-word (`…(40.00 bef`): the line
    says the call and counts the rules (`context.rules`, tagged where the graph holds it)."""
    total = "policy: issue_refund would reach 299.00 for invoice INV-1002 within 24 h (40.00 …"
    rules = [
        {"kind": "concern", "text": "the request says it was charged twice"},
        {"kind": "approval", "tool": "issue_refund", "text": "refund of 299.00 is above the "
         "100.00 limit"},
        {"kind": "total", "tool": "issue_refund", "text": total},
        {"kind": "total", "tool": "issue_refund", "text": total.replace("invoice", "customer")},
    ]  # fmt: skip
    args = {"invoice_id": "INV-1002", "amount": "299.00", "reason": "charged twice"}
    payload = {
        "action_requests": [{"name": "issue_refund", "args": args}],
        "context": {"kind": "approval", "blocker": "; ".join(r["text"] for r in rules) * 5,
                    "rules": rules},
    }  # fmt: skip
    assert summarize(payload) == (
        "issue_refund 299.00 on INV-1002: the request says it was charged twice, refund of "
        "299.00 is above the 100.00 limit and 2 running totals"
    )
    # No rules to count (a review raised before they were tagged): the blocker, cut at a word.
    del payload["context"]["rules"]  # type: ignore[attr-defined]
    said = summarize(payload)
    assert len(said) <= 200 and said.endswith(" …")
    assert payload["context"]["blocker"].startswith(said.removesuffix(" …"))  # type: ignore[index]
