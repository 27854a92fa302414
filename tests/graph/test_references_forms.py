"""References said in the forms `benchmarks/reference_forms.py` audits (half A's failures):
an id typed in lower case in an ellipsis, a bare "this" / "that" as a verb's object."""

from __future__ import annotations

from ringmaster.graph.references import resolve

from .references_kit import ACTS, KINDS, entities, turn

PLAN = [turn(1, "what plan is CUS-1003 on?", "CUS-1003")]


def test_an_ellipsis_with_an_id_typed_in_lower_case_repeats_the_request() -> None:
    # "and cus-1004 pls" was left as typed (its id, not stripped as an id, read as words of
    # its own), so it was planned alone and routed elsewhere; "and CUS-1004 pls" was the plan
    # question again.
    for typed in ("and cus-1004 pls", "and cus-1004?", "what about cus-1004", "same for cus-1004"):
        out = resolve(typed, PLAN, KINDS, None, ACTS)
        assert out.text == "what plan is CUS-1004 on?", typed


STATUS = [turn(1, "TCK-1078 status?", "TCK-1078 CUS-1020")]


def test_a_bare_this_or_that_as_a_verbs_object_is_the_record() -> None:
    # Each was left as typed: "that" after a verb only before a particle ("roll that back"),
    # "this" only at the very end or before as/to/for.
    for typed, text in {
        "set that to high": "set TCK-1078 to high",
        "make this urgent": "make TCK-1078 urgent",
        "make that urgent pls": "make TCK-1078 urgent pls",
        "close this, wontfix: account is churned": "close TCK-1078, wontfix: account is churned",
        "ok please close that, login works": "ok please close TCK-1078, login works",
        "take care of closing this, the key came thru": (
            "take care of closing TCK-1078, the key came thru"
        ),
    }.items():
        out = resolve(typed, STATUS, KINDS, None, ACTS)
        assert (out.text, entities(out)) == (text, ["TCK-1078"]), typed
    # Not a conjunction, a topic after a preposition, or a determiner.
    for typed, kept in {
        "tell her that we are on it": "that we",
        "what does our DPA say about that?": "about that",
        "set this week's report aside": "this week",
        "make sure that it is closed": "sure that",
    }.items():
        out = resolve(typed, STATUS, KINDS, None, ACTS)
        assert kept in out.text, typed
