"""References to several records at once in plain office English (conversations-dev24, half
A): "their" of two people none of whom is a "they", each one's own record."""

from __future__ import annotations

from ringmaster.graph.references import RecordFacts, resolve

from .references_kit import ACTS, KINDS, customer, entities, facts, invoice, turn


def _pair(second_pronoun: str) -> dict[str, RecordFacts]:
    return facts(
        customer(
            "CUS-1005", "Sofia Rossi", "Rossi & Figli pro active", ["INV-1146", "INV-1193"], "she"
        ),
        customer(
            "CUS-1010",
            "Omar Haddad",
            "Haddad Ventures enterprise active",
            ["INV-1151", "INV-1198"],
            second_pronoun,
        ),
        invoice("INV-1146", "CUS-1005", "unpaid", "2025-05"),
        invoice("INV-1193", "CUS-1005", "paid", "2025-06"),
        invoice("INV-1151", "CUS-1010", "paid", "2025-05"),
        invoice("INV-1198", "CUS-1010", "paid", "2025-06"),
    )


TWO_PEOPLE = [turn(1, "Look up CUS-1005 and CUS-1010.", "CUS-1005 CUS-1010")]


def test_their_of_a_she_and_a_he_is_both_and_each_ones_own_record() -> None:
    # A bare "they" of two people may be one of them (singular they), so it was asked even
    # when one is "she" and the other "he": neither can be a singular "they".
    lookup = _pair("he").get
    # "their June invoices" is each one's June invoice, not the two people and one invoice.
    out = resolve("were their june invoices paid?", TWO_PEOPLE, KINDS, lookup, ACTS)
    assert out.question is None and entities(out) == ["INV-1193", "INV-1198"], out.text
    assert "CUS-" not in out.text


def test_their_is_still_asked_when_one_of_them_may_be_a_they() -> None:
    for pronoun in ("they", ""):
        out = resolve("were their june invoices paid?", TWO_PEOPLE, KINDS, _pair(pronoun).get, ACTS)
        assert out.question is not None, pronoun
    # Before one record ("their plan") "their" may be one of a she and a he: asked.
    out = resolve("move their plan to business", TWO_PEOPLE, KINDS, _pair("he").get, ACTS)
    assert out.question is not None


NOAH = facts(
    customer(
        "CUS-1008",
        "Noah Schmidt",
        "Schmidt Consulting pro suspended",
        ["INV-1102", "INV-1149", "INV-1196"],
        "he",
    ),  # fmt: skip
    invoice("INV-1102", "CUS-1008", "unpaid", "2025-04"),
    invoice("INV-1149", "CUS-1008", "unpaid", "2025-05"),
    invoice("INV-1196", "CUS-1008", "unpaid", "2025-06"),
)


def test_a_repeat_for_another_of_the_same_persons_records_is_for_that_person_too() -> None:
    # "him" was read in on the turn repeated, so the repeat is for him as much as for the
    # new invoice; only the invoice was counted as referred to.
    said = turn(2, "Draft CUS-1008 a payment reminder for INV-1149.", "CUS-1008 INV-1149")
    said["typed"] = "Draft him a payment reminder for the May one."
    history = [turn(1, "List CUS-1008's unpaid invoices.", "CUS-1008 INV-1102 INV-1149 INV-1196"),
               said]  # fmt: skip
    for typed in ("and for the april one as well", "Same for INV-1102."):
        out = resolve(typed, history, KINDS, NOAH.get, ACTS)
        assert out.text == "Draft CUS-1008 a payment reminder for INV-1102.", typed
        assert sorted(entities(out)) == ["CUS-1008", "INV-1102"], typed
    # A person the user typed on that turn is typed, not referred to, by the repeat.
    del said["typed"]
    out = resolve("Same for INV-1102.", history, KINDS, NOAH.get, ACTS)
    assert entities(out) == ["INV-1102"]


def test_her_before_a_preposition_or_a_word_of_when_is_whom_not_whose() -> None:
    # "her about INV-1102" read "inv" as a record's noun after one word, so "her" was
    # possessive: "Remind CUS-1008's about INV-1102"; "tomorrow" was read as her noun.
    she = facts(
        customer(
            "CUS-1050",
            "Elif Torres",
            "Torres Foods business active",
            ["INV-1188", "INV-1235"],
            "she",
        ),
        invoice("INV-1188", "CUS-1050", "unpaid", "2025-05"),
        invoice("INV-1235", "CUS-1050", "unpaid", "2025-06"),
    )
    history = [turn(1, "Which invoices does CUS-1050 owe?", "CUS-1050 INV-1188 INV-1235")]
    cases = {
        "Chase her for the May one.": "Chase CUS-1050 for INV-1188.",
        "ring her tomorrow": "ring CUS-1050 tomorrow",
        "check her account": "check CUS-1050's account",
    }
    for typed, text in cases.items():
        assert resolve(typed, history, KINDS, she.get, ACTS).text == text, typed
