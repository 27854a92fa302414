"""Stand-in choice and queued-work moves as pure decisions (the SQL-backed routing runs in
tests/ringmaster/test_load_routing.py)."""

from __future__ import annotations

from ringmaster.graph.standins import Load, QueuedSubtask, choose, plan_moves
from tests.ringmaster.ops_traffic import TEAM

IDLE = Load(True, 0, 0, 2)
FULL = Load(True, 1, 1, 2)
SICK = Load(False, 0, 0, 2, ("3 of 3 outputs failed",))


class Loads:
    def __init__(self, **loads: Load) -> None:
        self.loads = loads

    def load(self, agent: str) -> Load | None:
        return self.loads.get(agent)


def test_choose() -> None:
    allowed = ["billing", "billing2", "support"]
    assert choose(TEAM, "billing", allowed, Loads(billing=IDLE)).reason is None
    c = choose(TEAM, "billing", allowed, Loads(billing=FULL, billing2=FULL, support=IDLE))
    assert c.agent == "support"
    c = choose(TEAM, "billing", ["billing", "billing2"], Loads(billing=FULL, billing2=FULL))
    assert (c.agent, c.reason) == ("billing", None)  # nobody has room: it waits for billing
    c = choose(TEAM, "billing", ["billing"], Loads(billing=SICK, billing2=IDLE, support=IDLE))
    assert c.agent is None and "no stand-in" in (c.reason or "")
    assert choose(TEAM, "billing", allowed, Loads()).reason is None  # no status: it stands


def test_moves_off_a_spike_and_off_an_unhealthy_agent_within_scope() -> None:
    queued = [QueuedSubtask(f"j{i}", "billing", ("billing",)) for i in range(6)]
    queued.append(QueuedSubtask("k", "billing", ("billing", "support")))
    loads = {
        "billing": Load(True, 7, 2, 2),
        "billing2": Load(True, 0, 0, 2),
        "support": Load(True, 0, 0, 4),
    }
    moves = plan_moves(TEAM, queued, loads, threshold=3)
    # billing2 takes two (its capacity); only "k" may reach support; billing stays at 4 queued.
    assert [(m.key, m.target) for m in moves] == [
        ("j0", "billing2"),
        ("j1", "billing2"),
        ("k", "support"),
    ]
    assert all("over the threshold of 3" in m.reason for m in moves)
    loads["billing"] = Load(False, 7, 0, 2, ("down",))
    moves = plan_moves(TEAM, queued, loads, threshold=100)
    # All of it off the unhealthy agent, to the least-loaded healthy stand-in each time (room
    # or not: it waits in a healthy queue), never to a person while one is healthy.
    assert [(m.key, m.target) for m in moves] == [
        ("j0", "billing2"),
        ("j1", "billing2"),
        ("j2", "billing2"),
        ("j3", "billing2"),
        ("j4", "billing2"),
        ("j5", "billing2"),
        ("k", "support"),
    ]
    assert all(m.reason.startswith("billing is unhealthy") for m in moves)
    loads["billing2"] = Load(False, 0, 0, 2, ("down",))
    moves = plan_moves(TEAM, queued, loads, threshold=100)
    assert [(m.key, m.target) for m in moves] == [(f"j{i}", None) for i in range(6)] + [
        ("k", "support")
    ]
    assert "no healthy stand-in" in moves[0].reason
    assert plan_moves(TEAM, queued, {"billing": Load(True, 7, 0, 2)}, threshold=10) == []
