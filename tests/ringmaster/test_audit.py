"""The audit trail: chained events, a thread's story, and `verify` catching tampering."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest
from sqlalchemy import delete, insert, update
from sqlalchemy.engine import Engine

from ringmaster.audit import AuditLog, audit_events
from ringmaster.decisions import Decision, DecisionService
from ringmaster.runner import Runner
from ringmaster.settings import Settings
from ringmaster.tables import make_engine
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
    assert log.verify() == ["row 5 edited: its content does not match its hash"]


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
