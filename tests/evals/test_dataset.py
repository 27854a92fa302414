"""The eval-row loader: good files load, bad rows fail with the line number and the field."""

from __future__ import annotations

from pathlib import Path

import pytest

from ringmaster.evals.dataset import check_agents, dataset_hash, load_dataset
from ringmaster.evals.errors import DatasetError

GOOD = '{"text": "pay my bill", "agents": ["billing"], "escalate": false}'


def write(tmp_path: Path, *lines: str) -> Path:
    path = tmp_path / "rows.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_loads_rows_with_defaults_and_hash(tmp_path: Path) -> None:
    path = write(tmp_path, GOOD, "", '{"text": "hi", "agents": [], "escalate": true}')
    data = load_dataset(path)
    assert [r.line for r in data.rows] == [1, 3]
    assert data.rows[0].subtasks == 1 and data.rows[0].tags == ()
    assert data.rows[1].expected_set == {"human"} and data.rows[1].subtasks == 0
    assert data.sha256 == dataset_hash(path)


def test_demo_dataset_loads() -> None:
    data = load_dataset(Path(__file__).resolve().parents[2] / "evals/datasets/demo-team.jsonl")
    assert len(data.rows) >= 200


@pytest.mark.parametrize(
    ("bad", "needle"),
    [
        ("{not json", "not valid JSON"),
        ("[1, 2]", "expected a JSON object"),
        ('{"agents": ["a"], "escalate": false}', "field 'text'"),
        ('{"text": "  ", "agents": ["a"], "escalate": false}', "field 'text'"),
        ('{"text": "x", "escalate": false}', "field 'agents' is missing"),
        ('{"text": "x", "agents": "a", "escalate": false}', "field 'agents'"),
        ('{"text": "x", "agents": ["a", "a"], "escalate": false}', "repeats"),
        (
            '{"text": "x", "agents": ["a"]}',
            "field 'escalate' is missing",
        ),  # "must be true or false"
        ('{"text": "x", "agents": ["a"], "escalate": "no"}', "field 'escalate' must be true or"),
        ('{"text": "x", "agents": ["a"], "escalate": true}', "field 'escalate' is true"),
        ('{"text": "x", "agents": [], "escalate": false}', "field 'escalate' is false"),
        ('{"text": "x", "agents": ["a"], "escalate": false, "subtasks": true}', "'subtasks'"),
        ('{"text": "x", "agents": ["a"], "escalate": false, "tags": "t"}', "field 'tags'"),
        ('{"text": "x", "agents": ["a"], "escalate": false, "agent": "a"}', "unknown field"),
    ],
)
def test_bad_row_names_line_and_field(tmp_path: Path, bad: str, needle: str) -> None:
    path = write(tmp_path, GOOD, GOOD, bad)
    with pytest.raises(DatasetError) as info:
        load_dataset(path)
    assert f"{path}:3:" in str(info.value)
    assert needle in str(info.value)


def test_missing_and_empty_files(tmp_path: Path) -> None:
    with pytest.raises(DatasetError, match="not found"):
        load_dataset(tmp_path / "nope.jsonl")
    with pytest.raises(DatasetError, match="no rows"):
        load_dataset(write(tmp_path, ""))


def test_unknown_agent_is_named(tmp_path: Path) -> None:
    data = load_dataset(write(tmp_path, GOOD))
    with pytest.raises(DatasetError, match=r"rows.jsonl:1: field 'agents' names \['billing'\]"):
        check_agents(data, ["support"])


def test_a_file_that_opens_with_a_byte_order_mark_loads(tmp_path: Path) -> None:
    """Notepad and Excel's "CSV UTF-8" write one; the first row was refused as 'not valid
    JSON: Unexpected UTF-8 BOM (decode using utf-8-sig)'. Its hash is still of its bytes."""
    path = tmp_path / "bom.jsonl"
    path.write_bytes(b"\xef\xbb\xbf" + (GOOD + "\r\n" + GOOD + "\r\n").encode())
    data = load_dataset(path)
    assert [r.text for r in data.rows] == ["pay my bill", "pay my bill"]
    assert data.sha256 == dataset_hash(path)
