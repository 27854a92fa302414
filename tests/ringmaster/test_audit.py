"""The audit trail: chained events, a thread's story, and `verify` catching tampering."""

from __future__ import annotations

import stat
import threading
from pathlib import Path

import pytest
from sqlalchemy import delete, insert, update
from sqlalchemy.engine import Engine

from ringmaster.audit import AuditLog, audit_events
from ringmaster.decisions import Decision, DecisionService
from ringmaster.runner import Runner
from ringmaster.settings import Settings
from ringmaster.tables import audit_head, make_engine
from tests.fakes import ScriptedAgent, ScriptedPlanner, make_deps, ok, plan_of, proposing


@pytest.fixture
def engine(tmp_path: Path, db_url: str | None) -> Engine:
    return make_engine(Settings(home=tmp_path, db_url=db_url).app_db_url)


def filled(engine: Engine, n: int = 5, key: bytes | None = None) -> AuditLog:
    log = AuditLog(engine, key=key)
    for i in range(n):
        log.append("th", "note", "tester", i=i, text=f"event {i}")
    return log


def test_an_untouched_trail_verifies(engine: Engine) -> None:
    log = filled(engine)
    assert log.verify() == []
    assert [e.data["i"] for e in log.for_thread("th")] == [0, 1, 2, 3, 4]


def test_a_thread_reads_past_a_sequence_number(engine: Engine) -> None:
    log = filled(engine)
    log.append("other", "note", "tester", i=99)
    assert log.last_seq("th") == 5 and log.last_seq("other") == 6 and log.last_seq("none") == 0
    assert [e.data["i"] for e in log.for_thread("th", after=3)] == [3, 4]
    assert log.for_thread("th", after=5) == []


def test_a_thread_reads_only_the_kinds_asked_for(engine: Engine) -> None:
    log = filled(engine)
    log.append("th", "asked", "tester", i=5)
    log.append("other", "asked", "tester", i=6)
    log.append("th", "picked", "tester", i=7)
    picked = log.for_thread("th", kinds=("asked", "picked"))
    assert [(e.kind, e.data["i"]) for e in picked] == [("asked", 5), ("picked", 7)]
    assert [e.data["i"] for e in log.for_thread("th", after=6, kinds=["asked"])] == []


def test_verify_names_an_edited_row(engine: Engine) -> None:
    log = filled(engine)
    with engine.begin() as conn:
        conn.execute(update(audit_events).where(audit_events.c.seq == 3).values(actor="mallory"))
    assert log.verify() == ["row 3 edited: its content does not match its hash"]


def test_verify_names_a_deleted_row(engine: Engine) -> None:
    log = filled(engine)
    with engine.begin() as conn:
        conn.execute(delete(audit_events).where(audit_events.c.seq == 2))
    assert log.verify() == ["row(s) 2 deleted: the sequence jumps to 3"]


def test_verify_names_an_inserted_row(engine: Engine) -> None:
    log = filled(engine)
    # A forger appends a self-consistent row but cannot link it to the real head...
    forged = AuditLog(engine)
    rows = log.for_thread("th")
    with engine.begin() as conn:
        conn.execute(delete(audit_events).where(audit_events.c.seq == 5))
    forged.append("th", "note", "mallory", i=99)  # takes seq 5, linked to row 4
    with engine.begin() as conn:  # ...then puts the real row 5 back as 6, breaking its link
        real = rows[4]
        conn.execute(
            insert(audit_events).values(
                seq=6,
                thread_id=real.thread_id,
                at=real.at,
                actor=real.actor,
                kind=real.kind,
                data=real.data,
                prev_hash=real.prev_hash,
                hash=real.hash,
            )
        )
    problems = log.verify()
    assert problems and all("row 6" in p for p in problems), problems


def test_with_a_key_a_recomputed_chain_does_not_verify(engine: Engine) -> None:
    log = filled(engine, key=b"secret")
    assert log.verify() == []
    with engine.begin() as conn:
        conn.execute(delete(audit_events).where(audit_events.c.seq == 5))
    AuditLog(engine).append("th", "note", "mallory", i=5)  # hashed without the key
    assert log.verify() == [
        "row 5 edited: its content does not match its hash",
        "the head's signature does not match: the head was rewritten",
    ]


def test_concurrent_appends_keep_one_chain(engine: Engine) -> None:
    log = AuditLog(engine)

    def work(n: int) -> None:
        for i in range(15):
            log.append(f"th{n}", "note", f"w{n}", i=i)

    workers = [threading.Thread(target=work, args=(n,)) for n in range(4)]
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    assert log.verify() == []
    assert sum(len(log.for_thread(f"th{n}")) for n in range(4)) == 60


def test_a_run_tells_its_story_in_order(tmp_path: Path, db_url: str | None) -> None:
    plan = plan_of(("count", "alpha"), ("pay", "beta"), ("write", "gamma"), deps={"t3": ["t1"]})
    agents = {
        "alpha": ScriptedAgent(ok()),
        "beta": ScriptedAgent(proposing(50)),
        "gamma": ScriptedAgent(ok()),
    }
    deps, _ = make_deps(tmp_path, ScriptedPlanner(plan), agents)
    with Runner(Settings(home=tmp_path, db_url=db_url), deps=deps) as runner:
        out = runner.submit("count, pay and write")
        (item,) = out.pending
        DecisionService(runner).decide(item.id, Decision("approve"), "alice")
        events = runner.audit.for_thread(out.thread_id)
        assert runner.audit.verify() == []
    kinds = [e.kind for e in events]
    assert kinds[0] == "request_received" and kinds[1] == "plan"
    assert kinds[2:5] == ["routing"] * 3
    assert kinds[-1] == "final_answer"
    order = {k: kinds.index(k) for k in kinds}
    assert order["interrupt"] < order["human_decision"] < order["review_applied"]
    assert order["review_applied"] < order["side_effect"]
    decision = next(e for e in events if e.kind == "human_decision")
    assert decision.actor == "human:alice" and decision.data["subtask_id"] == "t2"
    effect = next(e for e in events if e.kind == "side_effect")
    assert effect.data["tool"] == "record" and effect.data["status"] == "executed"
    handoff = next(e for e in events if e.kind == "handoff")
    assert handoff.data["subtask_id"] == "t3" and handoff.data["received"][0]["from"] == "t1"


# --- issue 12: keyed by default, a signed head kept apart, a verifiable export --------------


def test_deleting_the_last_rows_is_caught(engine: Engine) -> None:
    log = filled(engine, key=b"k")
    with engine.begin() as conn:
        conn.execute(delete(audit_events).where(audit_events.c.seq >= 4))
    assert log.verify() == [
        "rows 4–5 deleted from the end: the signed head is at 5, the trail ends at 3"
    ]


def test_a_wholesale_rewrite_without_the_key_is_caught(engine: Engine) -> None:
    log = filled(engine, key=b"k")
    with engine.begin() as conn:  # everything gone, head included, then a new story
        conn.execute(delete(audit_events))
        conn.execute(delete(audit_head))
    forger = filled(engine, n=3, key=b"guess")
    assert forger.verify() == []  # consistent with itself...
    problems = log.verify()  # ...but not with the real key
    assert "row 1 edited: its content does not match its hash" in problems
    assert "the head's signature does not match: the head was rewritten" in problems


def test_a_missing_head_is_caught(engine: Engine) -> None:
    log = filled(engine, key=b"k")
    with engine.begin() as conn:
        conn.execute(delete(audit_head))
    assert log.verify() == ["the signed head is missing: the trail cannot be checked whole"]


def test_the_trail_is_keyed_by_default_with_a_private_key_file(tmp_path: Path) -> None:
    settings = Settings(home=tmp_path / "home")
    key = settings.audit_secret()
    path = settings.audit_key_file
    assert len(key) == 64 and path.read_bytes() == key
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert Settings(home=tmp_path / "home").audit_secret() == key  # made once, then kept
    assert Settings(home=tmp_path / "home", audit_key="given").audit_secret() == b"given"
    assert "given" not in repr(Settings(audit_key="given"))
    with Runner(settings) as runner:
        assert runner.audit.key == key
        runner.audit.append("th", "note", "tester", i=1)
        plain = AuditLog(runner.engine)  # what someone without the key can compute
        assert plain.verify() != []


def test_an_export_verifies_and_a_changed_export_does_not(tmp_path: Path, engine: Engine) -> None:
    log = filled(engine, key=b"k")
    copy = tmp_path / "trail.jsonl"
    assert log.export(copy) == 5
    assert stat.S_IMODE(copy.stat().st_mode) == 0o600
    assert log.verify_export(copy) == []
    lines = copy.read_text().splitlines()
    cut = tmp_path / "cut.jsonl"
    cut.write_text("\n".join(lines[:3] + lines[-1:]) + "\n")  # last two events dropped
    assert log.verify_export(cut) == [
        "rows 4–5 deleted from the end: the signed head is at 5, the trail ends at 3"
    ]
    edited = tmp_path / "edited.jsonl"
    edited.write_text(copy.read_text().replace('"tester"', '"mallory"', 1))
    assert log.verify_export(edited) == ["row 1 edited: its content does not match its hash"]
    headless = tmp_path / "headless.jsonl"
    headless.write_text("\n".join(lines[:-1]) + "\n")
    assert log.verify_export(headless) == ["the export has no signed head: it was cut short"]
    assert AuditLog(engine, key=b"other").verify_export(copy) != []
