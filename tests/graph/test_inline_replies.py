"""Replies written inline (issue 14, route31, demo-team-dev15): the writer answers each quoted
paragraph under it, and an answer leans on the paragraph it answers, not on the answer before
it. Read as one newest message, "can ops check it right away?" (the web service quoted above it)
was glued to the refund answered under the next quote, and the reply went to billing alone."""

from __future__ import annotations

from ringmaster.graph.planner.local import LocalPlanner
from ringmaster.graph.planner.quoting import inline_reply, unquoted

TWO_ANSWERS = (
    "Answers below.\n\n"
    "> Is the web service still returning errors?\n\n"
    "Not sure, can ops check it right away?\n\n"
    "> On Mon, 7 Dec 2026 at 10:02, Lea Brandt wrote:\n"
    "> The customer on TCK-1090 also wants their money back for the lost day.\n\n"
    "Ok by me. Please refund their invoice INV-1140.\n\n"
    "Thanks,\nLea"
)


def test_an_inline_reply_is_read_as_its_quotes_and_their_answers() -> None:
    reply = inline_reply(TWO_ANSWERS)
    assert reply is not None
    assert reply.opening == "Answers below."
    (q1, a1), (q2, a2) = reply.answers
    assert a1 == "Not sure, can ops check it right away?"
    assert a2.startswith("Ok by me.") and a2.endswith("Lea")
    # the attribution line goes with the quote it introduces, and is no words of it
    assert q2.startswith("> On Mon, 7 Dec 2026")
    assert unquoted(q2) == "The customer on TCK-1090 also wants their money back for the lost day."
    assert unquoted("> > how many?\n> Later.") == "how many? Later."


def test_one_quote_is_no_inline_reply() -> None:
    # a reply under a quote, a reply above one, and a quote answered once are quoted_thread's
    assert inline_reply("> Can you refund INV-1?\n\nDone. Now please unlock CUS-2.") is None
    assert inline_reply("Please check this.\n\n> The api is down.\n> Since 9am.") is None
    assert inline_reply("Hi,\n\n> q1\n\nanswer\n\n> q2") is None
    assert inline_reply("No quotes at all. Refund INV-1 and unlock CUS-2.") is None


def test_each_answer_is_read_under_the_paragraph_it_answers(demo_planner: LocalPlanner) -> None:
    plan = demo_planner.plan(TWO_ANSWERS)
    assert [s.agent for s in plan.subtasks] == ["ops", "billing"]
    ops, billing = plan.subtasks
    # the opening and the quotes reach the first agent as context, the sign-off the last
    assert ops.description.startswith("Answers below.")
    assert "> Is the web service still returning errors?" in ops.description
    assert ops.description.endswith("Not sure, can ops check it right away?")
    assert billing.description.endswith("Thanks,\nLea")
    assert "read as" in ops.rationale  # scored with the quote it answers, and says so


def test_an_answer_that_asks_nothing_goes_with_its_neighbour(demo_planner: LocalPlanner) -> None:
    # "Sure :)" under a person's question is no subtask for a person
    text = (
        "> 1. The auth service restarted twice overnight.\n\n"
        "Please find out why and check its alerts.\n\n"
        "> 2. Coffee on Friday?\n\n"
        "Sure :)"
    )
    plan = demo_planner.plan(text)
    assert [s.agent for s in plan.subtasks] == ["ops"]
    assert plan.subtasks[0].description.endswith("Sure :)")
