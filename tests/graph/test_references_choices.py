"""A group the request narrows: "refund one of them" leaves the pick open, so it is asked and
never acted on; "close them all except the seats one" acts on the group without that record."""

from __future__ import annotations

from ringmaster.graph.references import (
    RecordFacts,
    acts_from_tools,
    resolve,
)
from tests.graph.references_kit import KINDS, turn

ACTS = acts_from_tools(
    [
        ("close_ticket", ["ticket_id", "resolution"]),
        ("issue_refund", ["invoice_id", "amount", "reason"]),
        ("apply_credit", ["customer_id", "amount", "reason"]),
    ],
    KINDS,
)
FACTS = {
    "TCK-1019": RecordFacts("TCK-1019", "CUS-1024", "Dashboard loads slowly open"),
    "TCK-1133": RecordFacts("TCK-1133", "CUS-1024", "Mobile app crashes on start open"),
    "TCK-1145": RecordFacts("TCK-1145", "CUS-1024", "Need to add more seats open"),
}


def test_a_side_effect_on_one_of_them_is_asked_among_them() -> None:
    history = [turn(1, "INV-1102 and INV-1149?")]
    for request in ("refund one of them", "refund either one", "refund any of those"):
        out = resolve(request, history, KINDS, FACTS.get, ACTS)
        assert out.question is not None and out.resolutions == [], request
        assert "INV-1102" in out.question and "INV-1149" in out.question, request
    # After a turn about a person whose answer listed their invoices: those, not the person.
    history = [turn(1, "which invoices does CUS-1008 still owe?", "INV-1102 INV-1149 INV-1196")]
    out = resolve("refund one of them", history, KINDS, FACTS.get, ACTS)
    assert out.question is not None and "INV-1196" in out.question
    # A question about "either of them" asks about both; "refund both" is both.
    history = [turn(1, "INV-1102 and INV-1149?")]
    out = resolve("is either of them paid?", history, KINDS, FACTS.get, ACTS)
    assert out.question is None
    out = resolve("refund both", history, KINDS, FACTS.get, ACTS)
    assert out.question is None and out.text == "refund INV-1102 and INV-1149"


def test_all_except_one_leaves_that_one_out() -> None:
    history = [turn(1, "what are CUS-1024's open tickets", "TCK-1019 TCK-1133 TCK-1145")]
    out = resolve("close them all except the seats one", history, KINDS, FACTS.get, ACTS)
    assert out.question is None and out.text == "close TCK-1019 and TCK-1133"
    assert {r.entity for r in out.resolutions if r.phrase == "them"} == {"TCK-1019", "TCK-1133"}
    # The excepted id is the only one named and the group is not spelled out: asked, so the
    # one record the user kept is never the one acted on.
    out = resolve("close all of them but TCK-1133", history, KINDS, FACTS.get, ACTS)
    assert out.question is not None and "TCK-1133" in out.question
    # An id taken out beside another named one is as typed.
    out = resolve("close TCK-1019 but not TCK-1133", history, KINDS, FACTS.get, ACTS)
    assert out.question is None and out.text == "close TCK-1019 but not TCK-1133"


def test_which_one_of_them_asks_about_them_all() -> None:
    """ "which one of them has the double charge ticket?" (conversations-dev21) asks the
    assistant to find the one: about both, never a pick left open, even with an act's word
    ("charge") in it; "refund one of them" is still asked."""
    history = [turn(1, "look up CUS-1034 and CUS-1012", "CUS-1034 CUS-1012")]
    for request in (
        "which one of them has the double charge ticket?",
        "which of them was charged twice?",
        "and which one of them has a refund pending?",
    ):
        out = resolve(request, history, KINDS, FACTS.get, ACTS)
        assert out.question is None, request
        assert {"CUS-1034", "CUS-1012"} <= {r.entity for r in out.resolutions}, request
    out = resolve("refund one of them", [turn(1, "INV-1102 and INV-1149?")], KINDS, FACTS.get, ACTS)
    assert out.question is not None
