"""A subtask no agent took: the requester is told in plain words, the reviewer is advised only
what can work, and the planner's figures stay in the review."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from ringmaster.graph.planner.base import EscalationKind, human_plan
from ringmaster.parked_view import live_parked
from ringmaster.review_queue import ReviewItem, ReviewQueue
from ringmaster.review_summary import summarize
from ringmaster.settings import Settings
from ringmaster.tables import make_engine
from tests.fakes import ScriptedPlanner, make_deps

FIGURES = "looks out of scope: P(human) 1.00 > P(billing) 0.00"
REFUSED = "best match ops is not an agent the requester may reach"


def _parked(make_run: Any, tmp_path: Path, reason: str, kind: EscalationKind) -> tuple:
    plan = human_plan("book me a flight to Paris next tuesday", reason, "scripted", kind)
    deps, _ = make_deps(tmp_path, ScriptedPlanner(plan), {})
    run = make_run(deps)
    result = run.start()
    (held,) = run.interrupts()
    return result, held.value


def test_an_out_of_scope_request_is_told_plainly_and_never_advised_to_route(
    make_run: Any, tmp_path: Path
) -> None:
    """The requester read "looks out of scope: P(human) 1.00 > P(billing) 0.00", and the
    reviewer was advised to "answer it, route it to an agent or reject it" where no agent fits."""
    result, packet = _parked(make_run, tmp_path, FIGURES, "out_of_scope")
    told = "waiting for a person: no agent on the team handles this; a person will look at it"
    assert result["results"]["t1"]["summary"] == told
    ctx = packet["context"]
    assert ctx["blocker"] == FIGURES  # the reviewer keeps the figures
    assert ctx["recommended"]["reason"] == (
        f"no agent took it: {FIGURES}; no agent on the team handles it, so answer it or reject it"
    )
    assert summarize(packet) == "no agent on the team handles this"
    item = _item(tmp_path, packet)
    (row,) = live_parked(result["results"], [item], turn=1).values()
    assert row["summary"] == told


def test_a_scope_refusal_is_not_advised_to_route_to_its_best_match(
    make_run: Any, tmp_path: Path
) -> None:
    """`review edit ID --args '{"agent":"ops"}'` on the advice to route it failed: "the
    requester's scopes do not reach agent 'ops'". The advice says why routing would fail."""
    result, packet = _parked(make_run, tmp_path, REFUSED, "unreachable")
    reason = packet["context"]["recommended"]["reason"]
    assert "route it" not in reason
    assert reason == (
        f"no agent took it: {REFUSED}, so routing it there would be refused: answer it or reject it"
    )
    assert result["results"]["t1"]["summary"] == f"waiting for a person: {REFUSED}"


@pytest.mark.parametrize("kind", ["low_confidence", "failed"])
def test_other_escalations_still_offer_routing(
    make_run: Any, tmp_path: Path, kind: EscalationKind
) -> None:
    _, packet = _parked(make_run, tmp_path, "low confidence: 0.30 < floor 0.50", kind)
    assert "route it to an agent" in packet["context"]["recommended"]["reason"]


def _item(tmp_path: Path, packet: dict[str, Any]) -> ReviewItem:
    """The packet as the review queue keeps it (a real SQLite file)."""
    queue = ReviewQueue(make_engine(Settings(home=tmp_path).app_db_url))
    queue.add("t-1", "item-1", packet)
    return queue.get("item-1")
