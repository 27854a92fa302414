"""Shape checks for the hand-written conversation sets: the held-out conversations.jsonl, the
dev split conversations-dev.jsonl and the check split conversations-dev2.jsonl (labels
consistent, every id in the demo database)."""

from __future__ import annotations

import re
import sqlite3
from pathlib import Path

import pytest

from ringmaster.evals.conversations import Conversation, load_conversations
from ringmaster.tools.demo import ensure_demo_db

DATASETS = Path(__file__).resolve().parents[2] / "evals" / "datasets"
DATASET = DATASETS / "conversations.jsonl"
DEV = DATASETS / "conversations-dev.jsonl"
DEV2 = DATASETS / "conversations-dev2.jsonl"
AGENTS = {"support", "billing", "ops", "content", "analytics", "legal"}
ID = re.compile(r"\b(CUS|TCK|INV|DEP|INC|ALT|DOC)-\d{4}\b")
CREATES_TICKET = re.compile(r"\b(new|open|log|create|raise)\b[^.]{0,12}\bticket\b", re.I)
TABLES = {
    "CUS": "customers",
    "TCK": "tickets",
    "INV": "invoices",
    "DEP": "deployments",
    "INC": "incidents",
    "ALT": "alerts",
    "DOC": "documents",
}


@pytest.fixture(scope="module", params=[DATASET, DEV, DEV2], ids=["held-out", "dev", "dev2"])
def conversations(request: pytest.FixtureRequest) -> list[Conversation]:
    return load_conversations(request.param)


def test_size_and_turns() -> None:
    conversations = load_conversations(DATASET)
    assert len(conversations) >= 60
    assert len({c.id for c in conversations}) == len(conversations), "duplicate ids"
    for conv in conversations:
        assert 3 <= len(conv.turns) <= 6, f"{conv.id}: {len(conv.turns)} turns"
    turns = [t for c in conversations for t in c.turns]
    ambiguous = [t for t in turns if t.ambiguous]
    # "about one ambiguous turn in six"
    assert len(turns) / 8 <= len(ambiguous) <= len(turns) / 5
    assert len([t for t in turns if t.resolved]) >= len(turns) / 3


@pytest.mark.parametrize(("path", "least"), [(DEV, 50), (DEV2, 40)], ids=["dev", "dev2"])
def test_the_dev_splits_are_sets_of_their_own(path: Path, least: int) -> None:
    dev = load_conversations(path)
    assert len(dev) >= least and all(3 <= len(c.turns) <= 6 for c in dev)
    assert len({c.id for c in dev}) == len(dev), "duplicate ids"
    held_out = {t.text for c in load_conversations(DATASET) for t in c.turns}
    # No dev conversation repeats a held-out one (single short turns may coincide).
    for conv in dev:
        assert not all(t.text in held_out for t in conv.turns), conv.id


def test_labels_are_consistent(conversations: list[Conversation]) -> None:
    for conv in conversations:
        first = conv.turns[0]
        assert not first.resolved and not first.ambiguous, f"{conv.id}: first turn refers back"
        for n, turn in enumerate(conv.turns, 1):
            where = f"{conv.id}#{n}"
            assert turn.text.strip(), where
            assert turn.agents <= AGENTS, f"{where}: unknown agents {turn.agents - AGENTS}"
            if turn.ambiguous:
                assert not turn.agents and not turn.resolved, f"{where}: ambiguous but acted on"
            else:
                assert turn.agents, f"{where}: a clear turn needs an agent"
            for ref in turn.resolved:
                assert ID.fullmatch(ref), f"{where}: {ref!r} is not a record id"
                assert ref not in turn.text, f"{where}: {ref} is spelled out, not resolved"


def test_every_id_exists_in_the_demo_database(
    conversations: list[Conversation], tmp_path: Path
) -> None:
    db = ensure_demo_db(tmp_path / "demo.db")
    conn = sqlite3.connect(db)
    try:
        for conv in conversations:
            for n, turn in enumerate(conv.turns, 1):
                ids = set(turn.resolved) | {m.group(0) for m in ID.finditer(turn.text)}
                earlier = " ".join(t.text for t in conv.turns[: n - 1])
                for ref in ids:
                    table = TABLES[ref[:3]]
                    row = conn.execute(f"SELECT 1 FROM {table} WHERE id = ?", (ref,)).fetchone()
                    if row is None and ref[:3] == "TCK" and CREATES_TICKET.search(earlier):
                        # A ticket an earlier turn opened: the next id of a fresh database.
                        (last,) = conn.execute("SELECT max(id) FROM tickets").fetchone()
                        row = ref == f"TCK-{int(last[4:]) + 1}"
                    assert row, f"{conv.id}#{n}: {ref} is not in the demo database"
    finally:
        conn.close()
