"""The real app over a real database (SQLite and Postgres), a runner with scripted agents,
and three users: a requester, two reviewers and an admin."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from ringmaster.api.app import create_app
from ringmaster.runner import Runner
from ringmaster.settings import Settings
from tests.fakes import Ledger, ScriptedAgent, ScriptedPlanner, make_deps, ok, plan_of, proposing

# t1 runs at once; t2 proposes recording 50, over the approval limit of 10: a review.
PLAN = plan_of(("small", "beta"), ("big", "gamma"))
USERS = {
    "ann": "requester",
    "bob": "requester",
    "rev": "reviewer",
    "rita": "reviewer",
    "adm": "admin",
}


@dataclass
class Api:
    client: TestClient
    runner: Runner
    ledger: Ledger
    gamma: ScriptedAgent
    tokens: dict[str, str] = field(default_factory=dict)

    def h(self, user: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.tokens[user]}"}

    def get(self, path: str, user: str, **kw: Any) -> Any:
        return self.client.get(path, headers=self.h(user), **kw)

    def post(self, path: str, user: str, **kw: Any) -> Any:
        return self.client.post(path, headers=self.h(user), **kw)

    def waiting_item(self, user: str = "ann", text: str = "do it") -> tuple[str, dict[str, Any]]:
        """A new thread of `user` stopped at the review of t2: (thread id, the pending row)."""
        thread = self.post("/threads", user).json()["id"]
        out = self.post(f"/threads/{thread}/requests", user, json={"request": text})
        assert out.status_code == 200, out.text
        body = out.json()
        assert body["status"] == "waiting", body
        (item,) = body["pending"]
        return thread, item


def settings_for(tmp_path: Path, db_url: str | None, **overrides: Any) -> Settings:
    values: dict[str, Any] = {
        "home": tmp_path,
        "db_url": db_url,
        "api_requests_per_minute": 60_000,
        "api_decisions_per_minute": 60_000,
        "api_rate_burst": 1_000,
        "api_poll_seconds": 0.05,
        "api_stream_seconds": 30,
        **overrides,
    }
    return Settings(**values)


def build_api(tmp_path: Path, db_url: str | None, **overrides: Any) -> Iterator[Api]:
    gamma = ScriptedAgent(proposing(50))
    deps, ledger = make_deps(
        tmp_path, ScriptedPlanner(PLAN), {"beta": ScriptedAgent(ok()), "gamma": gamma}
    )
    settings = settings_for(tmp_path, db_url, **overrides)
    runner = Runner(settings, deps=deps)
    app = create_app(settings, runner)
    accounts = app.state.rm.accounts
    tokens = {}
    for name, role in USERS.items():
        accounts.add(name, role, scopes=None)  # every agent: these tests are about the API
        tokens[name] = accounts.issue_token(name)
    try:
        with TestClient(app) as client:
            yield Api(client, runner, ledger, gamma, tokens)
    finally:
        runner.close()


@pytest.fixture
def api(tmp_path: Path, db_url: str | None) -> Iterator[Api]:
    yield from build_api(tmp_path, db_url)


@pytest.fixture
def sqlite_api(tmp_path: Path) -> Iterator[Api]:
    yield from build_api(tmp_path, None)


@pytest.fixture
def demo(tmp_path: Path, db_url: str | None) -> Iterator[tuple[TestClient, Runner, dict]]:
    settings = settings_for(tmp_path, db_url)
    runner = Runner(settings)
    app = create_app(settings, runner)
    accounts = app.state.rm.accounts
    accounts.add("ann", "requester", scopes=["support", "billing"])
    accounts.add("rev", "reviewer")
    headers = {u: {"Authorization": f"Bearer {accounts.issue_token(u)}"} for u in ("ann", "rev")}
    try:
        with TestClient(app) as client:
            yield client, runner, headers
    finally:
        runner.close()


def conversation(client: TestClient, headers: dict) -> tuple[str, Callable[[str], dict]]:
    """A new thread of the user with `headers`, and a `say` that sends a request on it and
    returns the answer (which must be a 200)."""
    thread = client.post("/threads", headers=headers).json()["id"]

    def say(text: str) -> dict:
        out = client.post(f"/threads/{thread}/requests", headers=headers, json={"request": text})
        assert out.status_code == 200, out.text
        return dict(out.json())

    return thread, say
