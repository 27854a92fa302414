"""A side effect never runs on a record the resolver picked on less than certain evidence.

Three ways a guess had reached an agent: the value a change sets read as the words that say
which record ("bump the ticket to urgent" took the ticket that was urgent already); words of the
request besides "the ticket" that fit one of two records better ("make the ticket pending"),
taken as settled; what a rollback takes named by its name ("roll back the service", which the
word "service" of "billing-service" fit). And a thread's first turn that names its record only
by its kind's noun ("close the ticket", "roll back the deploy") was left for an agent to pick
one. Each is now asked, naming the candidates where the thread has them; a read-only request
may still read the guess, marked."""

from __future__ import annotations

import pytest

from ringmaster.graph.references import RecordFacts, resolve
from tests.graph.references_kit import ACTS, KINDS, catalogue, customer, entities, facts, turn

FACTS = facts(
    customer("CUS-1007", "Yuki Tanaka", "Tanaka Robotics business active",
             owns=("TCK-1005", "TCK-1037")),
    RecordFacts("TCK-1005", "CUS-1007", "API returns 502 errors open urgent"),
    RecordFacts("TCK-1037", "CUS-1007", "Need to add more seats pending normal"),
    RecordFacts("DEP-1029", None, "billing-service production 1.10.0 succeeded release June"),
    RecordFacts("DEP-1030", None, "auth production 4.3.0 succeeded release June"),
)  # fmt: skip
LOOKUP, RECORDS = catalogue(FACTS)
LISTED = [turn(1, "which tickets does CUS-1007 have?", "CUS-1007 TCK-1005 TCK-1037")]
DEPLOYS = [turn(1, "DEP-1029 and DEP-1030 both went out on the 11th. health of both?")]


def ask(request: str, history: list[dict[str, object]]) -> str | None:
    return resolve(request, history, KINDS, LOOKUP, ACTS, RECORDS).question


@pytest.mark.parametrize(
    "request_",
    ["bump the ticket to urgent", "set the ticket to urgent", "change the ticket to normal"],
)
def test_the_value_a_change_sets_does_not_say_which_record(request_: str) -> None:
    question = ask(request_, LISTED)
    assert question is not None and "TCK-1005" in question and "TCK-1037" in question


def test_other_words_that_fit_one_of_two_are_confirmed_before_acting() -> None:
    question = ask("make the ticket pending", LISTED)
    assert question is not None and "TCK-1037" in question
    # Read only, the reading stands, marked as a guess for the answer to say.
    out = resolve("is the ticket still pending?", LISTED, KINDS, LOOKUP, ACTS, RECORDS)
    assert out.question is None and entities(out) == ["TCK-1037"]
    assert out.read_as() == ["the ticket read as TCK-1037"]
    # Words that go on with "the ticket" say which: no guess.
    out = resolve("close the ticket about seats", LISTED, KINDS, LOOKUP, ACTS, RECORDS)
    assert out.question is None and entities(out) == ["TCK-1037"] and not out.read_as()


@pytest.mark.parametrize("request_", ["roll back the service", "roll back the environment"])
def test_what_a_rollback_takes_named_by_its_name_is_no_description(request_: str) -> None:
    question = ask(request_, DEPLOYS)
    assert question is not None and "DEP-1029" in question and "DEP-1030" in question
    # A word that says which still settles it.
    assert ask("roll back the auth service", DEPLOYS) is None


@pytest.mark.parametrize(
    "request_",
    ["close the ticket", "refund the invoice", "roll back the deploy", "roll back the service",
     "close that ticket please"],
)  # fmt: skip
def test_a_first_turn_acting_on_a_record_named_only_by_its_kind_asks_which(request_: str) -> None:
    question = ask(request_, [])
    assert question is not None and question.startswith("Which ")


@pytest.mark.parametrize(
    "request_",
    ["close the SAML ticket", "TCK-1005 is solved, close it", "what is the ticket about?",
     "roll back the api in staging", "refund the customer in full"],
)  # fmt: skip
def test_a_first_turn_that_says_more_is_left_as_typed(request_: str) -> None:
    assert ask(request_, []) is None


def test_giving_someone_a_credit_is_a_side_effect_on_them() -> None:
    """ "give them a credit" was read as no act (the light verb was not right before "a"), so
    "them" bound to the newer of two people named one a turn was never checked for a rival."""
    people = facts(
        customer("CUS-1007", "Yuki Tanaka", "Tanaka Robotics business active", pronouns="she"),
        customer("CUS-1008", "Noah Schmidt", "Schmidt Bakery pro active", pronouns="he"),
    )
    lookup, records = catalogue(people)
    history = [turn(1, "look up CUS-1007"), turn(2, "and CUS-1008")]
    for request in ("give them a 10 credit", "give the customer a credit", "email them"):
        out = resolve(request, history, KINDS, lookup, ACTS, records)
        assert out.question is not None and "CUS-1007" in out.question, request
    # "him" is one of them.
    out = resolve("give him a 10 credit", history, KINDS, lookup, ACTS, records)
    assert out.question is None and entities(out) == ["CUS-1008"]


def test_a_record_counted_out_by_an_ordinal_has_no_rival_left() -> None:
    """ "INV-1191 still unpaid?", "and INV-1200?", "the due date on the first invoice I
    mentioned" (INV-1191), "give that customer a credit": the customer of INV-1191, not a
    question between the two invoices' customers (conversations-dev5 v25:4)."""
    two = facts(
        customer("CUS-1003", "Aisha Khan", "Khan Studio pro active", owns=("INV-1191",)),
        customer("CUS-1020", "Rafael Ito", "Ito Health pro active", owns=("INV-1200",)),
        RecordFacts("INV-1191", "CUS-1003", "unpaid 2025-06 usd June"),
        RecordFacts("INV-1200", "CUS-1020", "unpaid 2025-06 usd June"),
    )
    lookup, records = catalogue(two)
    picked = {**turn(3, "what's the due date on INV-1191 I mentioned", "INV-1191"),
              "typed": "what's the due date on the first invoice I mentioned"}  # fmt: skip
    history = [turn(1, "INV-1191 still unpaid?"), turn(2, "INV-1200 still unpaid?"), picked]
    out = resolve("ok give that customer a $5 credit", history, KINDS, lookup, ACTS, records)
    assert out.question is None and entities(out) == ["CUS-1003"]
    # Without the ordinal ("and the due date on it?"), both are still in play.
    plain = {**picked, "typed": "and the due date on it?"}
    out = resolve("ok give that customer a $5 credit", history[:2] + [plain], KINDS, lookup,
                  ACTS, records)  # fmt: skip
    assert out.question is not None
