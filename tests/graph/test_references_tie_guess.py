"""A description that fits several records, tipped to one by the request's other words ("close
the low prio one cust changed the email herself": "email", said as the reason), is a guess,
confirmed before a side effect runs on it."""

from __future__ import annotations

from ringmaster.graph.references import RecordFacts, resolve
from tests.graph.references_kit import ACTS, KINDS, catalogue, customer, entities, facts, turn

GRETA = facts(
    customer("CUS-1035", "Greta Yilmaz", "Yilmaz Co pro active",
             owns=("TCK-1022", "TCK-1136", "TCK-1138")),
    RecordFacts("TCK-1022", "CUS-1035", "Change the billing email address open low"),
    RecordFacts("TCK-1136", "CUS-1035", "Cannot log in after password reset pending low open"),
    RecordFacts("TCK-1138", "CUS-1035", "Rate limit reached unexpectedly open high"),
)  # fmt: skip


def test_a_tie_the_rest_of_the_request_breaks_is_confirmed_before_an_act() -> None:
    # "the low prio one" fits two tickets; "email", said as the reason, tips it to one: a
    # guess, so the close is asked first, never run on it.
    lookup, records = catalogue(GRETA)
    history = [turn(1, "all open tix for CUS-1035 pls", "TCK-1022 TCK-1136 TCK-1138")]
    said = "close the low prio one cust changed the email herself"
    out = resolve(said, history, KINDS, lookup, ACTS, records)
    assert out.question is not None and "TCK-1022" in out.question
    # A phrase that fits one by its own words is no guess.
    out = resolve("close the high prio one", history, KINDS, lookup, ACTS, records)
    assert out.question is None and entities(out) == ["TCK-1138"]
