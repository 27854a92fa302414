"""Accounts on SQLite and Postgres: roles, hashed tokens shown once, disable, web sessions."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from ringmaster.accounts import AccountError, Accounts, api_tokens, token_hash
from ringmaster.errors import NotFound
from ringmaster.settings import Settings
from ringmaster.tables import make_engine


@pytest.fixture
def accounts(tmp_path: Path, db_url: str | None) -> Accounts:
    return Accounts(make_engine(Settings(home=tmp_path, db_url=db_url).app_db_url))


def test_tokens_are_stored_hashed_and_name_their_user(accounts: Accounts) -> None:
    accounts.add("ann", "reviewer", scopes=["billing"], priority="high")
    token = accounts.issue_token("ann")
    with accounts.engine.connect() as conn:
        stored = [r.hash for r in conn.execute(select(api_tokens))]
    assert stored == [token_hash(token)] and token not in stored
    user = accounts.authenticate(token)
    assert user is not None and user.name == "ann" and user.role == "reviewer"
    assert user.scopes == ["billing"] and user.priority == "high"
    assert accounts.authenticate(token + "x") is None
    assert accounts.authenticate("not-a-token") is None
    second = accounts.issue_token("ann")
    assert second != token and accounts.authenticate(second) is not None


def test_roles_grow(accounts: Accounts) -> None:
    req = accounts.add("r", "requester")
    rev = accounts.add("v", "reviewer")
    adm = accounts.add("a", "admin")
    assert req.can("requester") and not req.can("reviewer")
    assert rev.can("reviewer") and not rev.can("admin")
    assert adm.can("admin") and adm.can("requester")


def test_disable_shuts_tokens_and_sessions(accounts: Accounts) -> None:
    user = accounts.add("bob", "admin")
    token = accounts.issue_token("bob")
    cookie, csrf = accounts.open_session(user, hours=1)
    session = accounts.session(cookie)
    assert session is not None and session.csrf == csrf
    accounts.disable("bob")
    assert accounts.authenticate(token) is None
    assert accounts.session(cookie) is None
    assert not accounts.get("bob").can("requester")
    with pytest.raises(AccountError):
        accounts.issue_token("bob")


def test_sessions_expire_and_close(tmp_path: Path) -> None:
    now = [datetime(2025, 1, 1, tzinfo=UTC)]
    accounts = Accounts(make_engine(f"sqlite:///{tmp_path / 'a.db'}"), clock=lambda: now[0])
    user = accounts.add("c", "reviewer")
    cookie, _ = accounts.open_session(user, hours=1)
    assert accounts.session(cookie) is not None
    now[0] += timedelta(hours=2)
    assert accounts.session(cookie) is None
    cookie, _ = accounts.open_session(user, hours=1)
    accounts.close_session(cookie)
    assert accounts.session(cookie) is None


@pytest.mark.parametrize(
    ("name", "role", "priority"),
    [
        ("", "admin", "normal"),
        ("a b", "admin", "normal"),
        ("x", "boss", "normal"),
        ("x", "admin", "whenever"),
        ("<script>", "admin", "normal"),
    ],
)
def test_bad_accounts_are_refused(tmp_path: Path, name: str, role: str, priority: str) -> None:
    accounts = Accounts(make_engine(f"sqlite:///{tmp_path / 'a.db'}"))
    with pytest.raises(AccountError):
        accounts.add(name, role, priority=priority)
    assert accounts.list() == []


def test_duplicates_and_unknown_users(tmp_path: Path) -> None:
    accounts = Accounts(make_engine(f"sqlite:///{tmp_path / 'a.db'}"))
    accounts.add("d", "requester")
    with pytest.raises(AccountError, match="already exists"):
        accounts.add("d", "admin")
    with pytest.raises(NotFound):
        accounts.issue_token("nobody")
    with pytest.raises(NotFound):
        accounts.disable("nobody")


# --- issue 12: tokens expire and are revoked one at a time; expired sessions are purged ----


class Clock:
    def __init__(self) -> None:
        self.now = datetime(2026, 1, 1, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now


def test_tokens_expire(tmp_path: Path, db_url: str | None) -> None:
    clock = Clock()
    accounts = Accounts(make_engine(Settings(home=tmp_path, db_url=db_url).app_db_url), clock)
    accounts.add("ann", "reviewer")
    short, default = accounts.issue_token("ann", days=1), accounts.issue_token("ann")
    clock.now += timedelta(days=2)
    assert accounts.authenticate(short) is None and accounts.authenticate(default) is not None
    clock.now += timedelta(days=89)
    assert accounts.authenticate(default) is None  # 90 days by default
    with pytest.raises(AccountError, match="between 0 and 3650"):
        accounts.issue_token("ann", days=0)


def test_one_token_is_revoked_and_the_others_keep_working(accounts: Accounts) -> None:
    accounts.add("ann", "reviewer")
    first, second = accounts.issue_token("ann", "laptop"), accounts.issue_token("ann", "ci")
    listed = accounts.tokens("ann")
    assert [t["label"] for t in listed] == ["laptop", "ci"]
    laptop = next(t["id"] for t in listed if t["label"] == "laptop")
    assert token_hash(first).startswith(laptop)
    accounts.revoke_token("ann", laptop)
    assert accounts.authenticate(first) is None and accounts.authenticate(second) is not None
    with pytest.raises(AccountError, match="has no token"):
        accounts.revoke_token("ann", laptop)
    with pytest.raises(AccountError, match="bad token id"):
        accounts.revoke_token("ann", "zz")


def test_expired_sessions_are_purged(tmp_path: Path, db_url: str | None) -> None:
    from ringmaster.tables import web_sessions

    clock = Clock()
    accounts = Accounts(make_engine(Settings(home=tmp_path, db_url=db_url).app_db_url), clock)
    user = accounts.add("ann", "reviewer")
    accounts.open_session(user, hours=1)
    accounts.open_session(user, hours=1)
    clock.now += timedelta(hours=2)
    live, _ = accounts.open_session(user, hours=1)  # signing in purges the expired ones
    with accounts.engine.connect() as conn:
        assert [r.hash for r in conn.execute(select(web_sessions))] == [token_hash(live)]
    clock.now += timedelta(hours=2)
    assert accounts.purge_sessions() == 1
