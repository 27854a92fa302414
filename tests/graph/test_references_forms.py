"""References said in the forms `benchmarks/reference_forms.py` audits (half A's failures):
an id typed in lower case in an ellipsis."""

from __future__ import annotations

from ringmaster.graph.references import resolve

from .references_kit import ACTS, KINDS, turn

PLAN = [turn(1, "what plan is CUS-1003 on?", "CUS-1003")]


def test_an_ellipsis_with_an_id_typed_in_lower_case_repeats_the_request() -> None:
    # "and cus-1004 pls" was left as typed (its id, not stripped as an id, read as words of
    # its own), so it was planned alone and routed elsewhere; "and CUS-1004 pls" was the plan
    # question again.
    for typed in ("and cus-1004 pls", "and cus-1004?", "what about cus-1004", "same for cus-1004"):
        out = resolve(typed, PLAN, KINDS, None, ACTS)
        assert out.text == "what plan is CUS-1004 on?", typed
