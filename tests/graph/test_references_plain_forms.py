"""References in plain office English (conversations-dev23, half A): a follow-up opened as an
ellipsis that goes on to ask its own question of the record ("and the unpaid one, when is it
due?") is that question, not the last one again."""

from __future__ import annotations

from ringmaster.graph.references import resolve

from .references_kit import ACTS, KINDS, customer, entities, facts, invoice, turn

MONTHS = {"INV-1022": "2025-02", "INV-1069": "2025-03", "INV-1163": "2025-05"}
FACTS = facts(
    customer(
        "CUS-1024", "Tariq Castillo", "Castillo Labs business active", [*MONTHS, "INV-1210"], "he"
    ),  # fmt: skip
    *(invoice(i, "CUS-1024", "paid", m) for i, m in MONTHS.items()),
    invoice("INV-1210", "CUS-1024", "unpaid", "2025-06"),
)
LISTED = [
    turn(1, "Show me CUS-1024's invoices.", "CUS-1024 INV-1022 INV-1069 INV-1163 INV-1210"),
    turn(2, "Is INV-1022 paid?", "INV-1022 CUS-1024"),
]


def test_an_ellipsis_that_asks_its_own_question_keeps_it() -> None:
    # Was rewritten to "Is INV-1210 paid?", the request before, and "when is it due" was lost.
    for typed in ("And the unpaid one, when is it due?", "and the unpaid one - when is it due?"):
        out = resolve(typed, LISTED, KINDS, FACTS.get, ACTS)
        assert entities(out) == ["INV-1210"] and "due" in out.text, typed
    # A bare ellipsis is still the request before, for the new record.
    out = resolve("And the unpaid one?", LISTED, KINDS, FACTS.get, ACTS)
    assert out.text == "Is INV-1210 paid?"
