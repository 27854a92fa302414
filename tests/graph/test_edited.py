"""An edited action's output fields: the executed value replaces the proposed one only where
a field held exactly that proposal (graph/nodes/edited.py)."""

from __future__ import annotations

from ringmaster.graph.nodes.edited import as_executed, edits_of


def _ran(tool: str, **args: object) -> dict[str, object]:
    return {"tool": tool, "args": args, "status": "executed"}


def test_a_refund_and_a_credit_of_the_same_amount_keep_apart() -> None:
    """Both proposed 50.00; the reviewer edits only the refund: `amounts.refund` changes (the
    tool's name names it), `amounts.credit` and the invoice's own amount do not."""
    proposals = [
        {"tool": "issue_refund", "args": {"invoice_id": "INV-1", "amount": "50.00"}},
        {"tool": "apply_credit", "args": {"customer_id": "CUS-1", "amount": "50.00"}},
    ]
    actions = [
        _ran("issue_refund", invoice_id="INV-1", amount="30"),
        _ran("apply_credit", customer_id="CUS-1", amount="50.00"),
    ]
    output = {
        "amount": "50.00",
        "amounts": {"refund": "50.00", "credit": "50.00"},
        "invoices": [{"id": "INV-1", "amount": "50.00"}],
    }
    edits = edits_of(actions, proposals, "rev")
    assert edits == [
        {"tool": "issue_refund", "proposed": {"amount": "50.00"}, "executed": {"amount": "30"},
         "by": "rev"}
    ]  # fmt: skip
    told = as_executed(output, edits)
    assert told["amount"] == "50.00"  # billing's bare `amount` is the credit's
    assert told["amounts"] == {"refund": "30", "credit": "50.00"}
    assert told["invoices"] == [{"id": "INV-1", "amount": "50.00"}]  # the invoice's, not ours
    assert told["edited"] == edits


def test_an_edited_target_replaces_it_in_the_lists_of_ids() -> None:
    proposals = [{"tool": "issue_refund", "args": {"invoice_id": "INV-1", "amount": "5.00"}}]
    actions = [_ran("issue_refund", invoice_id="INV-2", amount="5.00")]
    told = as_executed(
        {"invoice_ids": ["INV-1"], "amount": "5"}, edits_of(actions, proposals, "rev")
    )
    assert told["invoice_ids"] == ["INV-2"] and told["amount"] == "5"


def test_an_action_that_did_not_run_is_no_edit() -> None:
    proposals = [{"tool": "issue_refund", "args": {"amount": "5.00"}}]
    rejected = [{"tool": "issue_refund", "args": {"amount": "1.00"}, "status": "rejected"}]
    assert edits_of(rejected, proposals, "rev") == []
    assert as_executed({"amount": "5.00"}, []) == {"amount": "5.00"}


def test_the_bare_field_follows_the_entry_it_held() -> None:
    """Refund 40.00, credit 20.00 (billing's bare `amount` is the credit's): an edit of the
    credit changes both; an edit of the refund leaves the bare field alone."""
    proposals = [
        {"tool": "issue_refund", "args": {"amount": "40.00"}},
        {"tool": "apply_credit", "args": {"amount": "20.00"}},
    ]
    output = {"amount": "20.00", "amounts": {"refund": "40.00", "credit": "20.00"}}
    credit = [_ran("issue_refund", amount="40.00"), _ran("apply_credit", amount="10.00")]
    told = as_executed(output, edits_of(credit, proposals, "rev"))
    assert told["amount"] == "10.00" and told["amounts"] == {"refund": "40.00", "credit": "10.00"}
    refund = [_ran("issue_refund", amount="30.00"), _ran("apply_credit", amount="20.00")]
    told = as_executed(output, edits_of(refund, proposals, "rev"))
    assert told["amount"] == "20.00" and told["amounts"] == {"refund": "30.00", "credit": "20.00"}
