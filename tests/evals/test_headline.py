"""evals/headline.py's pieces that need no training: the halves and the README splice."""

from __future__ import annotations

from pathlib import Path

from ringmaster.evals.convert import LabelledRow
from ringmaster.evals.headline import END, START, Figure, halves, markdown, replace_between_markers


def test_halves_are_disjoint_seeded_and_cover_every_label() -> None:
    rows = [LabelledRow(f"text {lab} {i}", lab, line=i) for lab in "abc" for i in range(7)]
    a, b = halves(rows)
    assert not {r.text for r in a} & {r.text for r in b}
    assert len(a) + len(b) == len(rows)
    assert {r.label for r in a} == {r.label for r in b} == {"a", "b", "c"}
    assert halves(rows) == (a, b)


def test_the_table_replaces_only_what_lies_between_the_markers(tmp_path: Path) -> None:
    readme = tmp_path / "README.md"
    readme.write_text(f"# title\n\n{START}\nold table\n{END}\n\nafter\n")
    figure = Figure("s", "split B", "split A", "accuracy", 0.91234, ">= 0.9")
    table = markdown([figure], "tfidf", "cmd")
    replace_between_markers(readme, table)
    text = readme.read_text()
    assert "old table" not in text
    assert "| s | split B | split A | accuracy | 0.912 | >= 0.9 |" in text
    assert text.startswith("# title") and text.endswith("after\n")
    replace_between_markers(readme, table)
    assert readme.read_text() == text  # idempotent


def test_a_count_is_printed_as_a_count_and_a_share_with_three_places() -> None:
    table = markdown(
        [
            Figure("c", "set", "team", "acted on", 5, "0", count=True),
            Figure("c", "set", "team", "a whole share", 1, ""),
            Figure("c", "set", "team", "accuracy", 0.8575, ">= 0.90"),
            Figure("c", "set", "team", "nothing measured", None),
        ],
        "tfidf",
        "cmd",
    )
    rows = table.splitlines()[-4:]
    assert rows == [
        "| c | set | team | acted on | 5 | 0 |",
        "| c | set | team | a whole share | 1.000 |  |",
        "| c | set | team | accuracy | 0.858 | >= 0.90 |",
        "| c | set | team | nothing measured | n/a |  |",
    ]
