"""The billing skill reads an amount only when it is sure, and asks about any other.

A new-user trial found amounts the skill could not read ("0,50", "50 cents", "half", "minus the
10.00 fee") refunded in full, or misread ("12,50 USD" as 50.00, "1,5 dollar" as 5.00), and an
amount too long for Decimal raising inside the skill. Each is now a question (needs_input).
"""

from __future__ import annotations

from decimal import Decimal

import pytest

from ringmaster.agents.demo import demo_registry
from ringmaster.agents.demo.skills.amounts import read_amount
from ringmaster.agents.registry import AgentRegistry
from tests.agents.test_demo_team import assert_valid, run

HUGE = "100000000000000000000000000000.00"


@pytest.fixture(scope="module")
def registry(tmp_path_factory: pytest.TempPathFactory) -> AgentRegistry:
    return demo_registry(tmp_path_factory.mktemp("demo") / "demo.db")


# text, the value it states, the currency it names (None: none named)
CERTAIN = [
    ("Refund 0.50 on invoice INV-1001", "0.50", None),
    ("refund 15.5 on INV-1005", "15.50", None),
    ("Refund $5 on INV-1001", "5.00", "USD"),
    ("Refund US$5 on INV-1001", "5.00", "USD"),
    ("refund 5 bucks on INV-1001", "5.00", "USD"),
    ("Refund USD 15 on INV-1001", "15.00", "USD"),
    ("Refund $1,250.50 on INV-1001", "1250.50", "USD"),
    ("Refund 1,000 on INV-1001", "1000.00", None),
    ("Refund 29 USD (29.00) on INV-1001", "29.00", "USD"),  # the same amount twice
    ("Refund INV-1001 - 29.00", "29.00", None),  # a dash, not a minus sign
    ("credit CUS-1002 10 for the outage", "10.00", None),  # a number right after the verb
    ("give a goodwill credit of 30 dollars to tariq.varga@example.com", "30.00", "USD"),
    ("Issue a partial refund of $40 on INV-1150.", "40.00", "USD"),
    ("Refund EUR 5 on INV-1001", "5.00", "EUR"),
    ("Refund 5€ on INV-1001", "5.00", "EUR"),
    ("Refund £5 on INV-1001", "5.00", "GBP"),
    ("Refund 20 CAD on INV-1001", "20.00", "CAD"),
]


@pytest.mark.parametrize(("text", "value", "currency"), CERTAIN)
def test_a_plain_amount_is_read(text: str, value: str, currency: str | None) -> None:
    reading = read_amount(text)
    assert (reading.value, reading.currency, reading.unclear) == (Decimal(value), currency, None)


# text, the words the question must quote, the reason it gives
UNCLEAR = [
    ("Refund 0,50 on invoice INV-1005", "'0,50'", "decimal comma"),
    ("Refund 2,5 on invoice INV-1011", "'2,5'", "decimal comma"),
    ("Refund 12,50 USD on invoice INV-1016", "'12,50 USD'", "decimal comma"),
    ("Give CUS-1002 a 1,5 dollar credit", "'1,5 dollar'", "decimal comma"),
    ("Refund 50 cents on invoice INV-1003", "'50 cents'", "cents"),
    ("Refund 3 dollars and 50 cents on INV-1001", "'50 cents'", "cents"),
    ("Refund half of invoice INV-1009", "'half'", "part"),
    ("refund a third of INV-1001", "'a third", "part"),
    ("Refund 20% of INV-1001", "'20%'", "percentage"),
    ("refund 15 percent of INV-1001", "'15%'", "percentage"),
    ("Refund 1/2 of INV-1001", "'1/2'", "fraction"),
    ("Refund INV-1012 minus the 10.00 fee", "'minus the 10.00 fee'", "worked out"),
    ("Refund INV-1001 without the setup fee", "without the setup fee", "worked out"),
    ("Refund INV-1001 plus tax", "'plus tax'", "worked out"),
    ("Refund five dollars on INV-1001", "'five dollars'", "in words"),
    ("Refund a dollar on INV-1001", "'a dollar'", "in words"),
    ("Refund 1.5k on INV-1001", "'1.5k'", "shorthand"),
    ("Refund 5 million dollars on INV-1001", "'5 million'", "shorthand"),
    ("Refund 1e30 dollars on INV-1001", "'1e30 dollars'", "not a number"),
    ("Refund $10-$20 on INV-1001", "'$10'", "range"),
    ("Refund $10 to 20 on INV-1001", "'$10'", "range"),
    ("Refund between 10 and 20 dollars on INV-1001", "'10'", "range"),
    ("Refund about $5 on INV-1001", "'$5'", "approximation"),
    ("Refund up to 50.00 on INV-1001", "'50.00'", "limit"),
    ("Refund 10.00 or so on INV-1001", "'10.00'", "approximation"),
    ("Refund 1.500 on INV-1001", "'1.500'", "thousands"),
    ("Refund 1.234,56 on INV-1001", "'1.234,56'", "more than one way"),
    ("Refund 1'000 on INV-1001", "'1'000'", "more than one way"),
    ("Refund 12,34,567 on INV-1001", "'12,34,567'", "more than one way"),
    ("Refund .50 on INV-1001", "'.50'", "before the point"),
    ("Refund -5.00 on INV-1001", "'-5.00'", "negative"),
    ("Refund -5 on INV-1001", "'-5'", "negative"),
    ("credit -20 to CUS-1002", "'-20'", "negative"),
    ("Refund -$5 on INV-1001", "'-$5'", "negative"),
    ("Refund $-5 on INV-1001", "'$-5'", "negative"),
    ("Refund 10.00 of the 99.00 on INV-1005", "'10.00' and '99.00'", "more than one amount"),
    (f"Refund {HUGE} on invoice INV-1003", f"'{HUGE}'", "too large"),
    ("refund abc dollars on INV-1002", "'abc dollars'", "no amount"),
    ("Refund $X on INV-1002", "'$X'", "no amount"),
    ("credit CUS-1002 USD ??", "'CUS-1002 USD'", "no amount"),
    ("Refund 0 on INV-1001", "'0'", "zero"),
    ("Refund $0.00 on INV-1001", "'$0.00'", "zero"),
    ("credit CUS-1002 0 for the outage", "'0'", "zero"),
    ("Refund INV-1001 for 20", "'20'", "may be the amount"),
    ("refund INV-1001: 20", "'20'", "may be the amount"),
    ("refund INV-1001 (20)", "'20'", "may be the amount"),
    # Digits of other scripts: fullwidth, Arabic-Indic, and a Bengali zero among ASCII digits
    # (it looks like an o): Python's \d and Decimal read them all, the person may not.
    ("Refund ５０.００ on INV-1002", "'５０.００'", "digits other than 0-9"),
    ("Refund ٥٠ USD on INV-1002", "'٥٠ USD'", "digits other than 0-9"),
    ("Refund 5০.00 on INV-1002", "'5০.00'", "digits other than 0-9"),
]


@pytest.mark.parametrize(("text", "quoted", "why"), UNCLEAR)
def test_an_amount_that_reads_two_ways_is_unclear(text: str, quoted: str, why: str) -> None:
    reading = read_amount(text)
    assert reading.value is None and reading.unclear is not None, reading
    assert quoted in reading.unclear and why in reading.unclear


@pytest.mark.parametrize(
    "text",
    [
        "refund invoice INV-1003, it was double charged",
        "Please issue a full refund of INV-1004",
        "Refund 2 invoices for CUS-1001",
        "Refund INV-1001, charged twice on 2026-03-01 at 10:30",
        "Refund INV-1001, the 2FA outage hit them for 3 days",
        "Refund INV-1001 for the version 2.3.1 outage",
        "refund the Q4 invoice for CUS-1001, card 4111 1111 1111 1111",
        "refund INV-1001 in full in USD",  # the currency it is paid in, not an amount
        "refund INV-1001 in full, in US dollars",
    ],
)
def test_numbers_that_are_not_amounts_are_not_read(text: str) -> None:
    assert read_amount(text) == read_amount("refund INV-1001")  # nothing said about an amount
    assert read_amount(text).value is None and read_amount(text).unclear is None


def test_a_part_of_an_invoice_without_an_amount_is_named() -> None:
    assert read_amount("refund the late fee on INV-1001").part == "the late fee"
    assert read_amount("Refund INV-1001 for the missing seats").part == "the missing seats"
    assert read_amount("refund 15.50 on INV-1005, partial refund for the seats").part is None


# The trial's requests, each refunded or credited a guessed amount before.
TRIAL = [
    ("Refund 0,50 on invoice INV-1005", "'0,50'"),
    ("Refund 50 cents on invoice INV-1003", "'50 cents'"),
    ("Refund half of invoice INV-1009", "'half'"),
    ("Refund 2,5 on invoice INV-1011", "'2,5'"),
    ("Refund 12,50 USD on invoice INV-1016", "'12,50 USD'"),
    ("Refund INV-1012 minus the 10.00 fee", "'minus the 10.00 fee'"),
    ("Give CUS-1002 a 1,5 dollar credit", "'1,5 dollar'"),
    (f"Refund {HUGE} on invoice INV-1003", f"'{HUGE}'"),
    # Read as no amount at all before, so a full refund was proposed (299.00 on INV-1002).
    ("refund abc dollars on INV-1002", "'abc dollars'"),
    # Zero was falsy where the skill chose the amount, so a full refund ran (99.00 on INV-1001,
    # under the limit: executed with no review; trial 12).
    ("refund 0 on INV-1001", "'0'"),
    ("Refund $0 on INV-1001", "'$0'"),
    # A bare number with no verb before it was dropped as a count: 99.00 refunded for "20".
    ("refund INV-1001 for 20", "'20'"),
    ("refund INV-1001 with 20", "'20'"),
]


@pytest.mark.parametrize(("text", "quoted"), TRIAL)
def test_the_skill_asks_about_an_amount_it_cannot_read(
    registry: AgentRegistry, text: str, quoted: str
) -> None:
    out = run(registry, "billing", text)
    assert_valid(registry.spec("billing"), out)
    assert out.proposed_actions == []
    assert quoted in out.output["question"]
    assert "nothing was proposed" in out.output["summary"]
    assert out.output["question"].rstrip(".").endswith(("?", "1250.50"))


@pytest.mark.parametrize(
    ("text", "named"),
    [
        ("credit 10 euros to yuki.tanaka@example.com for the late reply", "10.00 EUR"),
        ("Refund EUR 5 on invoice INV-1001", "5.00 EUR"),
        ("Refund £5 on invoice INV-1001", "5.00 GBP"),
    ],
)
def test_an_amount_in_another_currency_is_asked_about(
    registry: AgentRegistry, text: str, named: str
) -> None:
    out = run(registry, "billing", text)
    assert out.proposed_actions == []
    assert named in out.output["question"] and "billed in USD" in out.output["question"]


@pytest.mark.parametrize(
    ("text", "asked"),
    [
        ("refund the late fee on INV-1001", "'the late fee'"),
        ("Refund INV-1001 in full, 10.00", "full refund and names 10.00"),
    ],
)
def test_a_part_without_an_amount_or_a_full_refund_of_a_part_is_asked(
    registry: AgentRegistry, text: str, asked: str
) -> None:
    out = run(registry, "billing", text)
    assert out.proposed_actions == []
    assert asked in out.output["question"]


@pytest.mark.parametrize(
    ("text", "tool", "amount"),
    [
        ("Refund 0.50 on invoice INV-1001", "issue_refund", "0.50"),
        ("Refund $5 on INV-1001", "issue_refund", "5.00"),
        ("refund 5 bucks on INV-1001", "issue_refund", "5.00"),
        ("Refund INV-1001 in full, they were overcharged", "issue_refund", "99.00"),
        ("credit CUS-1002 10 for the outage", "apply_credit", "10.00"),
        ("Give CUS-1002 a 1.5 dollar credit", "apply_credit", "1.50"),
    ],
)
def test_a_plain_amount_is_still_proposed(
    registry: AgentRegistry, text: str, tool: str, amount: str
) -> None:
    out = run(registry, "billing", text)
    assert [(a.tool, a.args["amount"]) for a in out.proposed_actions] == [(tool, amount)]
    assert "question" not in out.output


def test_a_refund_the_agent_doubts_says_so(registry: AgentRegistry) -> None:
    out = run(
        registry, "billing", "Refund invoice INV-1018 in full, the customer was double charged"
    )
    (action,) = out.proposed_actions
    assert action.args["amount"] == "29.00"
    (concern,) = out.output["evidence"]["concerns"]
    assert "INV-1018 has 1 successful charge(s)" in concern
    assert concern in out.output["summary"] and "a person checks it first" in out.output["summary"]


@pytest.mark.parametrize(
    "said",
    # Trial 12: "charged 2 times" was not read as a duplicate, so INV-1001 (charged once) was
    # refunded in full, 99.00 under the limit, with no review.
    ["it was charged twice", "it was charged 2 times", "they billed us again", "2x charged"],
)
def test_a_duplicate_charge_not_borne_out_is_a_question(registry: AgentRegistry, said: str) -> None:
    # Trial 12: it ended `done` with "Which charge does the customer mean?" as its result.
    out = run(registry, "billing", f"refund INV-1001, {said}")
    assert_valid(registry.spec("billing"), out)
    assert out.proposed_actions == []
    assert "Which charge does the customer mean?" in out.output["question"]
