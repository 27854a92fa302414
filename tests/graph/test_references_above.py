""" "The above" and a "^" after a preposition point at the record just named, as "it" does."""

from __future__ import annotations

import pytest

from ringmaster.graph.references import resolve
from tests.graph.references_kit import ACTS, KINDS, entities, turn


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("escalate the above: the customer is on enterprise", "escalate INV-1020: the customer"),
        ("who is the customer of ^ ?", "who is the customer of INV-1020 ?"),
        ("send a reminder on the above, please", "send a reminder on INV-1020, please"),
    ],
)
def test_the_above_is_the_record_just_named(text: str, expected: str) -> None:
    out = resolve(text, [turn(1, "is INV-1020 paid yet")], KINDS, acts=ACTS)
    assert out.question is None
    assert out.text.startswith(expected)
    assert entities(out) == ["INV-1020"]


@pytest.mark.parametrize(
    "text",
    [
        "is the above invoice overdue?",  # a noun of its own says which
        "as mentioned above, what plans do we sell?",  # no record: a place in the text
    ],
)
def test_above_that_names_no_record_stays(text: str) -> None:
    out = resolve(text, [turn(1, "is INV-1020 paid yet")], KINDS, acts=ACTS)
    assert "INV-1020" not in out.text
