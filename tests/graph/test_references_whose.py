"""A record described by a clause after it (conversations-dev20): "the one whose card failed"
after two invoices that no words of theirs tell apart is asked; with one in play it is left
as typed."""

from __future__ import annotations

from ringmaster.graph.references import resolve

from .references_kit import ACTS, KINDS, facts, invoice, turn

FACTS = facts(
    invoice("INV-1188", "CUS-1050", "unpaid", "2025-05"),
    invoice("INV-1235", "CUS-1050", "unpaid", "2025-06"),
)


def test_the_one_whose_words_fit_neither_of_two_is_asked() -> None:
    history = [turn(1, "are INV-1188 and INV-1235 both Elif Torres's?")]
    out = resolve("send a reminder for the one whose card failed", history, KINDS, FACTS.get,
                  ACTS)  # fmt: skip
    assert out.question is not None
    assert "INV-1188" in out.question and "INV-1235" in out.question
    # Words that fit one pick it.
    out = resolve("send a reminder for the one whose month is May", history, KINDS, FACTS.get,
                  ACTS)  # fmt: skip
    assert out.question is None and "INV-1188" in out.text


def test_the_one_whose_with_one_record_in_play_is_left_as_typed() -> None:
    history = [turn(1, "is INV-1188 Elif Torres's?")]
    typed = "send a reminder for the one whose card failed"
    out = resolve(typed, history, KINDS, FACTS.get, ACTS)
    assert out.question is None and out.text == typed
