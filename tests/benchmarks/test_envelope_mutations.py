"""benchmarks/envelope_mutations.py: the rows it wraps and the templates, without planning."""

from __future__ import annotations

import pytest

from benchmarks import envelope_mutations as em
from benchmarks.halves import half_of
from ringmaster.evals.dataset import EvalRow


def _source(text: str, agents: tuple[str, ...] = ("billing",), subtasks: int = 1) -> em.Source:
    return em.Source("dev", EvalRow(text, agents, False, subtasks, (), 1))


def test_every_kind_has_templates_in_both_halves() -> None:
    for kind, templates in em.TEMPLATES.items():
        halves = [em.template_half(kind, i) for i in range(len(templates))]
        assert len(templates) >= 4 and halves.count("A") == len(templates) // 2, kind


def test_a_mutant_keeps_its_source_rows_labels_and_half() -> None:
    rows = [
        _source("Refund INV-1142 please."),
        _source("Close TCK-1101 for CUS-1004.", ("support",)),
        _source("Refund INV-1033. Also, close TCK-1090.", ("billing", "support"), 2),
    ]
    made = em.mutants(rows, em.KINDS, limit=5)
    assert made == em.mutants(rows, em.KINDS, limit=5)  # reproducible
    for m in made:
        assert m.row.agents == m.source.row.agents and m.row.subtasks == m.source.row.subtasks
        # a row is wrapped only by its own half's templates
        assert em.template_half(m.kind, m.template) == m.half == half_of(m.source.row.text)
        if m.kind not in ("chat", "list", "context-between"):
            assert m.source.row.text in m.text
    # a list only for a multi-part row whose sentences are its parts, without their connectors
    (listed,) = [m for m in made if m.kind == "list"]
    assert "Refund INV-1033." in listed.text and "Close TCK-1090." in listed.text
    assert "Also" not in listed.text


def test_quoted_history_is_another_request_of_other_agents() -> None:
    rows = [_source(f"Refund INV-11{i:02} please.") for i in range(12)]
    rows += [_source(f"Close TCK-11{i:02}.", ("support",)) for i in range(12)]
    for m in em.mutants(rows, ["quoted"], limit=30):
        quoted = [ln for ln in m.text.splitlines() if ln.startswith("> ") and "-11" in ln]
        assert quoted and m.source.row.text not in "\n".join(quoted)
        assert ("INV" in "".join(quoted)) != ("billing" in m.source.row.agents)


def test_chat_shorthand_recasts_the_words() -> None:
    assert em.chat("Could you please check TCK-1101? Thanks.") == "could u pls check tck-1101? thx"
    assert em.fill("{chat}", _source("pls check tck-1101")) is None  # already shorthand


def test_the_splits_are_the_tuning_splits_only(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        em.main(["--splits", "2", "--list"])
    assert "no split" in capsys.readouterr().err


def test_context_wraps_one_part_rows_and_parts_a_multi_part_rows_asks() -> None:
    rows = [_source(f"Refund INV-11{i:02} please.") for i in range(8)]
    rows += [
        _source(f"Refund INV-10{i:02}. Also, close TCK-10{i:02}.", ("billing", "support"), 2)
        for i in range(8)
    ]
    made = em.mutants(rows, ["context", "context-between"], limit=10)
    context = [m for m in made if m.kind == "context"]
    between = [m for m in made if m.kind == "context-between"]
    assert context and all(m.source.slice == "one-part" for m in context)
    assert between and all(m.source.slice == "multi-part" for m in between)
    for m in between:
        ask, rest = m.source.row.text.split(" Also, ")
        paragraphs = m.text.split("\n\n")
        # the asks in paragraphs of their own, a paragraph of background between them
        assert paragraphs.index("Also, " + rest) - paragraphs.index(ask) == 2


def test_the_context_kinds_leave_the_other_kinds_rows_as_they_were() -> None:
    rows = [_source(f"Refund INV-11{i:02} please.") for i in range(40)]
    before = em.mutants(rows, em.KINDS[:10], limit=5)
    assert before == [m for m in em.mutants(rows, em.KINDS, limit=5) if m.kind in em.KINDS[:10]]
