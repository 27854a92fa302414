"""A pronoun typed with a contracted verb ("they're", "it'll", "she's") that the resolver
writes as an id keeps its verb in full, agreeing with the id: never "INV-1149're"."""

from __future__ import annotations

from ringmaster.graph.references import resolve
from tests.graph.references_kit import ACTS, KINDS, catalogue, customer, facts, invoice, turn

FACTS = facts(
    customer("CUS-1008", "Noah Schmidt", "Schmidt GmbH pro suspended",
             owns=("INV-1102", "INV-1149"), pronouns="he"),
    customer("CUS-1003", "Aisha Khan", "Khan Bakery starter active"),
    invoice("INV-1102", "CUS-1008", "unpaid", "2025-05"),
    invoice("INV-1149", "CUS-1008", "unpaid", "2025-06"),
)  # fmt: skip
LOOKUP, RECORDS = catalogue(FACTS)
TWO = [turn(1, "Could someone check INV-1102 and INV-1149?")]
ONE = [turn(1, "check INV-1149 please")]
HER = [turn(1, "pull up CUS-1003")]


def test_a_contracted_verb_after_the_ids_a_pronoun_became_is_written_in_full() -> None:
    for history, said, text in (
        (TWO, "If they're really unpaid, send reminders for both",
         "If INV-1102 and INV-1149 are really unpaid"),
        (TWO, "they've been paid?", "INV-1102 and INV-1149 have been paid?"),
        (ONE, "it'll be paid soon?", "INV-1149 will be paid soon?"),
        (HER, "they're on which plan?", "CUS-1003 is on which plan?"),
        (HER, "they'd like a credit of 10", "CUS-1003 would like a credit of 10"),
    ):  # fmt: skip
        out = resolve(said, history, KINDS, LOOKUP, ACTS, RECORDS)
        assert out.question is None and out.text.startswith(text), (said, out.text)
        assert "'" not in out.text.replace("'s ", ""), out.text


def test_an_ids_s_is_left_as_put() -> None:
    # "'s" after an id reads as the verb or as the owner's: left as put, as before.
    out = resolve("what is its status", ONE, KINDS, LOOKUP, ACTS, RECORDS)
    assert out.text == "what is INV-1149's status"
    out = resolve("it's unpaid?", ONE, KINDS, LOOKUP, ACTS, RECORDS)
    assert out.text == "INV-1149's unpaid?"
