"""Issue 12: the decision service checks who decides, for the CLI, the API and the web alike."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from ringmaster.accounts import Accounts
from ringmaster.decisions import Decision, DecisionService
from ringmaster.errors import NotAllowed
from ringmaster.graph.state import Requester
from ringmaster.review_queue import ReviewItem
from ringmaster.runner import Runner
from ringmaster.settings import Settings
from tests.fakes import ScriptedAgent, ScriptedPlanner, make_deps, ok, plan_of, proposing


@pytest.fixture
def runner(tmp_path: Path, db_url: str | None) -> Iterator[Runner]:
    agents = {"gamma": ScriptedAgent(proposing(50)), "beta": ScriptedAgent(ok())}
    deps, _ = make_deps(tmp_path, ScriptedPlanner(plan_of(("big", "gamma"))), agents)
    with Runner(Settings(home=tmp_path, db_url=db_url), deps=deps) as r:
        yield r


def pending(runner: Runner, who: str = "ann") -> ReviewItem:
    (item,) = runner.submit("do it", requester=Requester(id=who, scopes=["admin"])).pending
    return item


def refused(
    runner: Runner, item: ReviewItem, who: str, message: str, kind: str = "approve"
) -> None:
    with pytest.raises(NotAllowed, match=message):
        DecisionService(runner).decide(item, Decision(kind, reason="no"), who)
    assert runner.queue.get(item.id).status == "pending"


def test_without_users_the_login_decides(runner: Runner) -> None:
    item = pending(runner)
    done = DecisionService(runner).decide(item, Decision("approve"), "whoever")
    assert done.status == "completed"


def test_with_users_a_decision_names_an_enabled_reviewer(runner: Runner) -> None:
    accounts = Accounts(runner.engine)
    accounts.add("ann", "requester", scopes=None)
    accounts.add("rev", "reviewer")
    accounts.add("old", "reviewer")
    accounts.disable("old")
    item = pending(runner)
    refused(runner, item, "nobody", "'nobody' is not a user")
    refused(runner, item, "old", "user 'old' is disabled")
    # A requester is told a reviewer decides it and how to call it off, not of "another".
    refused(runner, item, "ann", "their own request raised it; a reviewer decides it; to call")
    accounts.add("req", "requester")
    refused(runner, item, "req", "is a requester, not a reviewer")
    assert DecisionService(runner).decide(item, Decision("approve"), "rev").status == "completed"


def test_an_admin_cannot_approve_their_own_request(runner: Runner) -> None:
    accounts = Accounts(runner.engine)
    accounts.add("boss", "admin", scopes=None)
    item = pending(runner, who="boss")
    refused(runner, item, "boss", "their own request raised it; another reviewer decides it")


def test_a_disabled_requesters_reviews_can_only_be_rejected(runner: Runner) -> None:
    accounts = Accounts(runner.engine)
    accounts.add("ann", "requester", scopes=None)
    accounts.add("rev", "reviewer")
    item = pending(runner)
    accounts.disable("ann")
    for kind in ("approve", "respond"):
        refused(runner, item, "rev", "disabled user 'ann': it can only be rejected", kind)
    done = DecisionService(runner).decide(item, Decision("reject", reason="shut out"), "rev")
    assert done.status == "completed"
    assert {r["status"] for r in done.results.values()} == {"rejected"}
