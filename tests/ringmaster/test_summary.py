"""The summary of a scripted day of traffic matches what the script did, SQLite and Postgres."""

from __future__ import annotations

import json
import random
from collections import Counter, defaultdict
from datetime import timedelta

import pytest
from sqlalchemy.engine import Engine

from ringmaster.agent_status import agent_statuses
from ringmaster.errors import ConfigError
from ringmaster.summary import COLUMNS, HUMAN, build_summary, parse_since, render
from tests.ringmaster.ops_traffic import START, TEAM, Clock, Traffic, engine

__all__ = ["engine"]
AGENTS = ["billing", "billing2", "support", "legal"]


def scripted_day(traffic: Traffic, clock: Clock, seed: int = 7) -> dict[str, Counter[str]]:
    """A day of traffic from 00:00 to 24:00, and what it expects each agent's line to say."""
    rng = random.Random(seed)
    want: dict[str, Counter[str]] = defaultdict(Counter)
    for _ in range(40):
        clock.advance(minutes=rng.randint(5, 60))
        if clock.now >= START + timedelta(hours=23, minutes=30):
            break
        agent = rng.choice(AGENTS)
        tid = traffic.start([("s1", agent, []), ("s2", None, [])], ["billing"])
        clock.advance(minutes=rng.randint(1, 9))
        error = "boom" if rng.random() < 0.3 else None
        # A failed attempt is the agent's (or unmarked, as before faults were) or refused for
        # the request's input, the requester's scopes or its budget.
        fault = rng.choice([None, "agent", "input", "scope", "budget"]) if error else None
        traffic.output(tid, "s1", agent, error=error, fault=fault)
        kind = "processed" if not error else "failed" if fault in (None, "agent") else "refused"
        want[agent][kind] += 1
        if not error and rng.random() < 0.5:
            category = rng.choice(["refund", "contract", "pricing"])
            item = traffic.review(tid, "s1", agent, "approval", category)
            want[agent]["escalated"] += 1
            want["_categories"][category] += 1
            decision = rng.choice(["approve", "reject", "edit", "deadline", "withdraw", None])
            if decision:
                clock.advance(minutes=2)
            if decision == "deadline":  # nobody decided in time: the deadline's denial
                traffic.deny_on_timeout(item)
                want[agent]["timed_out"] += 1
            elif decision == "withdraw":  # the requester called it off: no reviewer's rejection
                traffic.withdraw(item)
                want[agent]["withdrawn"] += 1
            elif decision:
                traffic.decide(item, decision)
                want[agent][{"approve": "approved", "reject": "rejected", "edit": "edited"}[
                    decision
                ]] += 1  # fmt: skip
        person = traffic.review(tid, "s2", None, "routing", "unsure")
        want[HUMAN]["escalated"] += 1
        want["_categories"]["unsure"] += 1
        if rng.random() < 0.3:
            traffic.decide(person, "respond")
            want[HUMAN]["answered"] += 1
            traffic.correct(tid, "s2", agent, "billing")
            want[agent]["corrected"] += 1
        traffic.finish(tid)
    return want


def test_summary_numbers_match_the_scripted_day(engine: Engine) -> None:
    clock = Clock(START - timedelta(hours=24))
    traffic = Traffic(engine, clock)
    # The previous day: 4 subtasks planned, 1 review raised.
    tid = traffic.start([("s1", "billing", []), ("s2", "support", [])], ["billing"])
    traffic.output(tid, "s1", "billing")
    traffic.review(tid, "s1", "billing", "approval", "refund")
    tid = traffic.start([("s1", "billing", []), ("s2", "support", [])], ["billing"])
    traffic.finish(tid)
    clock.now = START
    want = scripted_day(traffic, clock)
    failed = traffic.start([("s1", "support", [])], ["support"])
    traffic.finish(failed, "failed", "RuntimeError: crashed")
    clock.now = START + timedelta(hours=24)
    summary = build_summary(engine, START, clock.now, agent_statuses(engine, TEAM, clock.now))
    got = {a.agent: a for a in summary.agents}
    for agent, counts in want.items():
        if agent == "_categories":
            continue
        for column in COLUMNS:
            assert getattr(got[agent], column) == counts[column], (agent, column)
        assert got[agent].corrected == counts["corrected"], agent
    assert set(got) == set(want) - {"_categories"}
    assert all(v > 0 for v in summary.totals().values())  # the day exercises every column
    assert dict(summary.top_categories) == dict(want["_categories"].most_common(5))
    planned = 2 * summary.requests - 1  # every request planned 2 subtasks; the failed one 1
    escalated = sum(c["escalated"] for k, c in want.items() if k != "_categories")
    assert summary.escalation_rate == pytest.approx(escalated / planned)
    assert summary.previous_escalation_rate == pytest.approx(1 / 4)
    assert summary.failed_runs[0]["thread_id"] == failed
    assert summary.pending_reviews == sum(
        1 for r in traffic.queue.list(status="pending", limit=1000)
    )
    assert sum(summary.hourly_processed) == sum(
        c["processed"] for k, c in want.items() if k != "_categories"
    )
    # The same numbers in every format.
    data = json.loads(render(summary, "json"))
    assert data["totals"] == summary.totals()
    md = render(summary, "md")
    assert f"{summary.pending_reviews} review(s) pending" in md
    t = summary.totals()
    # Reviews people answered (respond) were counted in JSON but said nowhere in md or html.
    assert f"edited {t['edited']}, answered {t['answered']};" in md
    # A deadline's denial was counted as a person's rejection ('people … rejected 1').
    assert f"; {t['timed_out']} denied on timeout (nobody decided in time);" in md
    # A requester's own withdrawal was counted as a person's rejection too.
    assert f"; {t['withdrawn']} withdrawn by their requester;" in md
    for a in summary.agents:
        assert f"| {a.agent} | {a.processed} | {a.failed} | {a.refused} | {a.escalated} |" in md
        assert f"| {a.edited} | {a.answered} | {a.timed_out} | {a.withdrawn} |" in md
    page = render(summary, "html")
    assert page.count("<svg") == 2 and "<th>answered</th>" in page
    # The headers read as words ('timed_out' read as a key); the JSON keys are kept.
    assert "| answered | timed out | withdrawn | corrected |" in md and "<th>timed out</th>" in page
    assert "timed_out" not in md + page and "timed_out" in data["agents"][0]


def test_since_lengths() -> None:
    assert parse_since("24h") == timedelta(hours=24)
    assert parse_since("1d12h") == timedelta(days=1, hours=12)
    assert parse_since("90m") == timedelta(minutes=90)
    assert parse_since("3660d") == timedelta(days=3660)
    for bad in ("", "24", "h", "-1h", "0h", "yesterday"):
        with pytest.raises(ConfigError):
            parse_since(bad)
    for long in ("99999999d", "3661d", "90000000h", "9" * 30 + "m"):  # was an OverflowError
        with pytest.raises(ConfigError, match="too long"):
            parse_since(long)
