"""Shape checks for the hand-written demo-team routing eval set (evals/datasets/demo-team.jsonl)."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest

DATASET = Path(__file__).resolve().parents[2] / "evals" / "datasets" / "demo-team.jsonl"
AGENTS = {"support", "billing", "ops", "content", "analytics", "legal"}
FIELDS = {"text": str, "agents": list, "escalate": bool, "subtasks": int, "tags": list}
MIN_TAG_COUNTS = {
    "one-part": 110,
    "multi-part": 60,
    "out-of-scope": 30,
    "adversarial": 20,
    "informal": 1,
    "misspelled": 1,
    "dependent": 1,
}
MIN_ONE_PART_PER_AGENT = 18
MIN_ROWS = 220


@pytest.fixture(scope="module")
def rows() -> list[dict]:
    out = []
    with DATASET.open(encoding="utf-8") as f:
        for n, line in enumerate(f, 1):
            assert line.strip(), f"blank line {n}"
            row = json.loads(line)
            assert isinstance(row, dict), f"line {n} is not an object"
            out.append(row)
    return out


def test_row_count(rows: list[dict]) -> None:
    assert len(rows) >= MIN_ROWS


def test_fields_and_types(rows: list[dict]) -> None:
    for n, row in enumerate(rows, 1):
        assert set(row) == set(FIELDS), f"row {n}: fields {sorted(row)}"
        for name, kind in FIELDS.items():
            value = row[name]
            # bool is a subclass of int: subtasks must be a real int
            assert isinstance(value, kind) and not (kind is int and isinstance(value, bool)), (
                f"row {n}: {name} is {type(value).__name__}"
            )
        assert row["text"].strip(), f"row {n}: empty text"
        assert all(isinstance(a, str) for a in row["agents"]), f"row {n}: agents"
        assert all(isinstance(t, str) and t for t in row["tags"]), f"row {n}: tags"


def test_labels_are_consistent(rows: list[dict]) -> None:
    for n, row in enumerate(rows, 1):
        agents = row["agents"]
        assert set(agents) <= AGENTS, f"row {n}: unknown agents {set(agents) - AGENTS}"
        assert len(set(agents)) == len(agents), f"row {n}: repeated agent"
        assert row["escalate"] == (not agents), f"row {n}: escalate vs agents"
        assert row["subtasks"] == len(agents), f"row {n}: subtasks != len(agents)"
        tags = set(row["tags"])
        kinds = tags & {"one-part", "multi-part", "out-of-scope", "adversarial"}
        assert len(kinds) == 1, f"row {n}: kind tags {sorted(kinds)}"
        if "one-part" in tags:
            assert len(agents) == 1, f"row {n}: one-part row with {len(agents)} agents"
        if "multi-part" in tags:
            assert 2 <= len(agents) <= 3, f"row {n}: multi-part row with {len(agents)} agents"
        if "dependent" in tags:
            assert "multi-part" in tags, f"row {n}: dependent but not multi-part"
        if "out-of-scope" in tags:
            assert row["escalate"], f"row {n}: out-of-scope but not escalated"


def test_tag_minimums(rows: list[dict]) -> None:
    counts = Counter(t for row in rows for t in row["tags"])
    for tag, minimum in MIN_TAG_COUNTS.items():
        assert counts[tag] >= minimum, f"{tag}: {counts[tag]} < {minimum}"


def test_one_part_spread(rows: list[dict]) -> None:
    counts = Counter(row["agents"][0] for row in rows if "one-part" in row["tags"])
    for agent in AGENTS:
        assert counts[agent] >= MIN_ONE_PART_PER_AGENT, f"{agent}: {counts[agent]}"


def test_no_duplicate_texts(rows: list[dict]) -> None:
    seen: Counter[str] = Counter(" ".join(row["text"].lower().split()) for row in rows)
    dupes = [t for t, c in seen.items() if c > 1]
    assert not dupes, dupes
