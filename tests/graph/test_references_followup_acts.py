"""An act leaning on the turn before with two or more candidates in play: "do that for the
other customer too" after a third was credited, "close them" after a turn about one of the
tickets looked up. Found by benchmarks/ambiguity_followups.py (half A)."""

from __future__ import annotations

from ringmaster.graph.references import resolve
from tests.graph.test_references_ambiguity import ACTS
from tests.graph.test_references_followups import KINDS, ids, lookup, turn


def test_the_other_customer_after_a_third_was_acted_on_is_asked_among_those_left() -> None:
    # `act-other-customer`: "can you look up CUS-1013 and CUS-1012", "give CUS-1046 a
    # credit", "and the other customer too" credited CUS-1012, the second looked up.
    history = [
        turn(1, "can you look up CUS-1024 and CUS-1007 for me?"),
        turn(2, "give CUS-1001 a 10 dollar credit"),
    ]
    for request in ("and the other customer too", "do that for the other customer too"):
        out = resolve(request, history, KINDS, lookup, ACTS)
        assert out.question is not None and not out.resolutions, request
        assert "CUS-1024" in out.question and "CUS-1007" in out.question
    # One looked up before the credit: the other customer is that one.
    alone = [turn(1, "pull up CUS-1024"), history[1]]
    out = resolve("do that for the other customer too", alone, KINDS, lookup, ACTS)
    assert out.question is None and ids(out) == {"CUS-1024"}
    # The credited one among those looked up: the other of the two, as before.
    among = [turn(1, "pull up CUS-1024 and CUS-1001"), history[1]]
    out = resolve("do that for the other customer too", among, KINDS, lookup, ACTS)
    assert out.question is None and ids(out) == {"CUS-1024"}


def test_them_after_a_turn_about_one_of_the_tickets_looked_up_is_asked() -> None:
    # `act-narrowed`: "pull up TCK-1003, TCK-1008 and TCK-1043", "what's the status of
    # TCK-1003?", "close them" closed "CUS-1002", the ticket's customer: close is done to
    # tickets, and the turn before narrowed to one of the three.
    history = [
        turn(1, "pull up TCK-1001, TCK-1005 and TCK-1019"),
        turn(2, "what's the status of TCK-1001?", touched="CUS-1001"),
    ]
    out = resolve("close them", history, KINDS, lookup, ACTS)
    assert out.question is not None and not out.resolutions
    assert all(t in out.question for t in ("TCK-1001", "TCK-1005", "TCK-1019"))
    # "both of them" says two; "email them" is the person.
    two = [turn(1, "pull up TCK-1001 and TCK-1005"), history[1]]
    out = resolve("close both of them", two, KINDS, lookup, ACTS)
    assert out.question is None and ids(out) == {"TCK-1001", "TCK-1005"}
    out = resolve("email them that we're on it", history, KINDS, lookup, ACTS)
    assert out.question is None and ids(out) == {"CUS-1001"}
