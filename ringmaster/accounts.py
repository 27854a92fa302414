"""Accounts: users with a role, their API tokens, and web sign-in sessions.

A token is 32 random bytes shown once, when it is made; the store keeps only its SHA-256, so
a copy of the database does not let anyone in. A web session is the same idea: the cookie holds
a random value, the table its hash and the session's CSRF token. Disabling a user shuts every
token and session of theirs at once (they are checked against the user on every use).

Roles grow: a requester sends requests and reads their own threads; a reviewer also reads every
thread and decides reviews (not their own requests'); an admin also checks the audit chain.
"""

from __future__ import annotations

import builtins
import hashlib
import re
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Literal, get_args

from sqlalchemy import delete, insert, select, update
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError

from ringmaster.clock import Clock, as_utc, utcnow
from ringmaster.errors import NotFound, RingmasterError
from ringmaster.graph.priority import Priority
from ringmaster.tables import api_tokens, users, web_sessions, writer

Role = Literal["requester", "reviewer", "admin"]
ROLES: tuple[str, ...] = get_args(Role)
RANK = {role: i for i, role in enumerate(ROLES)}
PRIORITIES: tuple[str, ...] = get_args(Priority)
NAME_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.@-]{0,63}$")
TOKEN_PREFIX = "rm_"
TOKEN_DAYS = 90.0  # how long a new API token works unless told otherwise
TOKEN_ID_CHARS = 12


class AccountError(RingmasterError):
    """A user name, role or option that cannot be used."""


@dataclass(frozen=True)
class User:
    """Someone who may use the API or the web queue."""

    name: str
    role: str
    scopes: list[str] | None
    priority: str
    disabled: bool
    created_at: datetime

    def can(self, role: str) -> bool:
        """True when the user's role is `role` or above it."""
        return not self.disabled and RANK[self.role] >= RANK[role]

    def to_dict(self) -> dict[str, Any]:
        return {**self.__dict__, "created_at": self.created_at.isoformat()}


@dataclass(frozen=True)
class WebSession:
    user: User
    csrf: str
    expires_at: datetime


class Unset:
    """The default of an argument that may be given as None (scopes: every agent)."""


UNSET = Unset()


def _check_fields(role: str, priority: str, scopes: Sequence[str] | None) -> None:
    if role not in ROLES:
        raise AccountError(f"bad role {role!r}: one of {', '.join(ROLES)}")
    if priority not in PRIORITIES:
        raise AccountError(f"bad priority {priority!r}: one of {', '.join(PRIORITIES)}")
    if scopes is not None and any(not s or len(s) > 100 for s in scopes):
        raise AccountError("scopes must be non-empty names of at most 100 characters")


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()


def _user(row: Any) -> User:
    m = row._mapping
    return User(
        name=m["name"],
        role=m["role"],
        scopes=m["scopes"],
        priority=m["priority"],
        disabled=bool(m["disabled"]),
        created_at=as_utc(m["created_at"]),  # type: ignore[arg-type]
    )


class Accounts:
    """Users, tokens and web sessions over any SQLAlchemy engine (SQLite, Postgres)."""

    def __init__(self, engine: Engine, clock: Clock = utcnow) -> None:
        self.engine = engine
        self.writer = writer(engine)
        self.clock = clock

    # -- users ---------------------------------------------------------------------------
    def add(
        self,
        name: str,
        role: str,
        *,
        scopes: Sequence[str] | None = (),
        priority: str = "normal",
    ) -> User:
        """Add a user. Least privilege: no scopes unless given; None means every agent."""
        scopes = None if scopes is None else list(scopes)
        if not NAME_RE.match(name):
            raise AccountError(
                f"bad user name {name!r}: 1–64 letters, digits, '_', '.', '@' or '-'"
            )
        _check_fields(role, priority, scopes)
        try:
            with self.writer.begin() as conn:
                conn.execute(
                    insert(users).values(
                        name=name,
                        role=role,
                        scopes=scopes,
                        priority=priority,
                        disabled=False,
                        created_at=self.clock(),
                    )
                )
        except IntegrityError:
            raise AccountError(f"user {name!r} already exists") from None
        return self.get(name)

    def get(self, name: str) -> User:
        with self.engine.connect() as conn:
            row = conn.execute(select(users).where(users.c.name == name)).first()
        if row is None:
            raise NotFound(f"no user {name!r}")
        return _user(row)

    def any_users(self) -> bool:
        """True once anyone has been added: from then on every decision names a user."""
        with self.engine.connect() as conn:
            return conn.execute(select(users.c.name).limit(1)).first() is not None

    def find(self, name: str) -> User | None:
        try:
            return self.get(name)
        except NotFound:
            return None

    def list(self) -> list[User]:
        with self.engine.connect() as conn:
            return [_user(r) for r in conn.execute(select(users).order_by(users.c.name))]

    def disable(self, name: str) -> User:
        """Shut the user out: their tokens and sessions stop working at once."""
        with self.writer.begin() as conn:
            done = conn.execute(
                update(users).where(users.c.name == name).values(disabled=True)
            ).rowcount
            conn.execute(delete(web_sessions).where(web_sessions.c.user == name))
        if not done:
            raise NotFound(f"no user {name!r}")
        return self.get(name)

    def change(
        self,
        name: str,
        *,
        role: str | None = None,
        scopes: Sequence[str] | None | Unset = UNSET,
        priority: str | None = None,
    ) -> User:
        """Change what is given (role, scopes — None for every agent —, priority); the rest
        stays. Checked as `add` checks them; a user that does not exist is NotFound."""
        user = self.get(name)
        role, priority = role or user.role, priority or user.priority
        new_scopes = user.scopes if isinstance(scopes, Unset) else scopes
        new_scopes = None if new_scopes is None else list(new_scopes)
        _check_fields(role, priority, new_scopes)
        with self.writer.begin() as conn:
            conn.execute(
                update(users)
                .where(users.c.name == name)
                .values(role=role, scopes=new_scopes, priority=priority)
            )
        return self.get(name)

    def enable(self, name: str) -> User:
        """Let a disabled user in again. Their earlier tokens are deleted, not revived: a
        user is disabled when a token may have leaked, so they get a new one. A user who is
        not disabled is AccountError, their tokens untouched."""
        self.get(name)
        with self.writer.begin() as conn:
            was_disabled = conn.execute(
                update(users)
                .where(users.c.name == name, users.c.disabled.is_(True))
                .values(disabled=False)
            ).rowcount
            if not was_disabled:
                raise AccountError(
                    f"user {name!r} is not disabled: nothing changed, their tokens keep working"
                )
            conn.execute(delete(api_tokens).where(api_tokens.c.user == name))
        return self.get(name)

    # -- API tokens ----------------------------------------------------------------------
    def issue_token(self, name: str, label: str = "cli", days: float = TOKEN_DAYS) -> str:
        """A new token for the user, valid for `days`; returned once, only its hash is kept."""
        user = self.get(name)
        if user.disabled:
            raise AccountError(f"user {name!r} is disabled")
        if not 0 < days <= 3650:
            raise AccountError(f"--days must be between 0 and 3650, not {days:g}")
        token = TOKEN_PREFIX + secrets.token_urlsafe(32)
        now = self.clock()
        with self.writer.begin() as conn:
            conn.execute(
                insert(api_tokens).values(
                    hash=token_hash(token),
                    user=name,
                    label=label[:100],
                    created_at=now,
                    expires_at=now + timedelta(days=days),
                )
            )
        return token

    def authenticate(self, token: str) -> User | None:
        """The enabled user a live (unexpired, unrevoked) token belongs to, or None."""
        if not token.startswith(TOKEN_PREFIX) or len(token) > 200:
            return None
        q = (
            select(users, api_tokens.c.expires_at)
            .join(api_tokens, api_tokens.c.user == users.c.name)
            .where(api_tokens.c.hash == token_hash(token), users.c.disabled.is_(False))
        )
        with self.engine.connect() as conn:
            row = conn.execute(q).first()
        if row is None:
            return None
        expires = as_utc(row._mapping["expires_at"])
        if expires is not None and expires <= self.clock():
            return None
        return _user(row)

    def tokens(self, name: str) -> builtins.list[dict[str, Any]]:
        """The user's tokens: an id (the start of its hash) to revoke it by, label, dates."""
        self.get(name)
        q = select(api_tokens).where(api_tokens.c.user == name).order_by(api_tokens.c.created_at)
        with self.engine.connect() as conn:
            rows = [r._mapping for r in conn.execute(q)]
        return [
            {
                "id": m["hash"][:TOKEN_ID_CHARS],
                "label": m["label"],
                "created_at": as_utc(m["created_at"]).isoformat(),  # type: ignore[union-attr]
                "expires_at": (as_utc(m["expires_at"]).isoformat() if m["expires_at"] else None),  # type: ignore[union-attr]
            }
            for m in rows
        ]

    def revoke_token(self, name: str, token_id: str) -> None:
        """Revoke one of the user's tokens by its id (from `tokens`); the others keep working."""
        if not re.fullmatch(r"[0-9a-f]{8,64}", token_id):
            raise AccountError(f"bad token id {token_id!r}: the id `users tokens` shows")
        self.get(name)
        with self.writer.begin() as conn:
            hashes = [
                r[0]
                for r in conn.execute(
                    select(api_tokens.c.hash).where(
                        api_tokens.c.user == name, api_tokens.c.hash.startswith(token_id)
                    )
                )
            ]
            if len(hashes) != 1:
                raise AccountError(
                    f"{name} has no token {token_id!r}"
                    if not hashes
                    else f"token id {token_id!r} is ambiguous: give more of it"
                )
            conn.execute(delete(api_tokens).where(api_tokens.c.hash == hashes[0]))

    # -- web sessions --------------------------------------------------------------------
    def purge_sessions(self) -> int:
        """Delete every expired web session; how many there were."""
        with self.writer.begin() as conn:
            gone = conn.execute(
                delete(web_sessions).where(web_sessions.c.expires_at <= self.clock())
            )
        return int(gone.rowcount or 0)

    def open_session(self, user: User, hours: float) -> tuple[str, str]:
        """A new web session: (cookie value, CSRF token). Expired sessions are purged first."""
        cookie, csrf = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
        now = self.clock()
        with self.writer.begin() as conn:
            conn.execute(delete(web_sessions).where(web_sessions.c.expires_at <= now))
            conn.execute(
                insert(web_sessions).values(
                    hash=token_hash(cookie),
                    user=user.name,
                    csrf=csrf,
                    created_at=now,
                    expires_at=now + timedelta(hours=hours),
                )
            )
        return cookie, csrf

    def session(self, cookie: str) -> WebSession | None:
        """The live session a cookie names (its user enabled, not expired), or None."""
        if not cookie or len(cookie) > 200:
            return None
        q = (
            select(users, web_sessions.c.csrf, web_sessions.c.expires_at)
            .join(web_sessions, web_sessions.c.user == users.c.name)
            .where(web_sessions.c.hash == token_hash(cookie), users.c.disabled.is_(False))
        )
        with self.engine.connect() as conn:
            row = conn.execute(q).first()
        if row is None:
            return None
        expires = as_utc(row._mapping["expires_at"])
        assert expires is not None
        if expires <= self.clock():
            self.close_session(cookie)
            return None
        return WebSession(_user(row), row._mapping["csrf"], expires)

    def close_session(self, cookie: str) -> None:
        with self.writer.begin() as conn:
            conn.execute(delete(web_sessions).where(web_sessions.c.hash == token_hash(cookie)))


def whose_threads(user: User) -> str | None:
    """Whose threads `user` may see, with their reviews: None for everyone's (reviewers and
    admins), else only their own (their name). `sees_thread` asks it of one thread; a list on
    the command line (`viewer_requester`) filters by it."""
    return None if user.can("reviewer") else user.name


def listed_requester(user: User, requester: str | None) -> str | None:
    """Whose threads `user` lists when asking for `requester`'s (None: anyone's): the one
    asked for, or anyone's, for reviewers and admins; else their own, and AccountError for
    another's, with the same line on the command line (`thread list --requester`) and the API
    (`GET /threads?requester=`, a 403)."""
    only = whose_threads(user)
    if only is not None and requester not in (None, only):
        raise AccountError(
            f"{only} sees only their own threads, not {requester}'s (reviewers see everyone's)"
        )
    return only or requester


def sees_thread(user: User, requester: str) -> bool:
    """Whether `user` may see a thread `requester` asked on, with its reviews: their own, or
    any for reviewers and admins. The API (`visible_thread`) and the CLI (`check_viewer`)
    both ask this."""
    only = whose_threads(user)
    return only is None or requester == only


def not_a_user(accounts: Accounts, who: str, most: int = 5) -> str:
    """Why `who` (an `--as`, or the login name a command defaults to) is refused once users
    exist, and the two ways on: "'root' is not a user: look as one" left both unsaid."""
    names = [u.name for u in accounts.list() if not u.disabled]
    shown = ", ".join(names[:most]) + (", …" if len(names) > most else "")
    return (
        f"{who!r} is not a user of ringmaster; pass --as NAME (users: {shown or 'none enabled'}) "
        f"or add it with `ringmaster users add {who}`"
    )


def _viewer(accounts: Accounts, who: str) -> User:
    """`who` as the user whose view the command line shows (or who sends requests):
    AccountError unless an enabled user."""
    user = accounts.find(who)
    if user is None:
        raise AccountError(not_a_user(accounts, who))
    if user.disabled:
        raise AccountError(f"user {who!r} is disabled")
    return user


def check_viewer(
    accounts: Accounts, who: str, requester: str, what: str, where: str = "on a thread of yours"
) -> None:
    """Refuse `who` seeing `what` (e.g. "review 3f2a"), on a thread `requester` asked on,
    once users exist: they must be an enabled user (else AccountError) who `sees_thread`
    (else NotFound, as the API's 404: another's thread does not leak). With no users (one
    person on one machine) there is no one else's thread."""
    if not accounts.any_users():
        return
    if not sees_thread(_viewer(accounts, who), requester):
        raise NotFound(f"no {what} {where} (reviewers see every thread's)")


def check_role(accounts: Accounts, who: str, role: str, what: str) -> None:
    """Refuse (AccountError) `who` doing `what` on the command line (e.g. "audit export")
    unless an enabled user with `role` or above, as the API's routes for it require, once
    users exist. With no users (one person on one machine), anyone."""
    if not accounts.any_users():
        return
    user = _viewer(accounts, who)
    if not user.can(role):
        raise AccountError(f"{what} needs the {role} role; {user.name} is a {user.role}")


def viewer_requester(accounts: Accounts, who: str, requester: str | None) -> str | None:
    """Whose threads `who` lists on the command line when asking for `requester`'s (None:
    anyone's): `listed_requester` once users exist, where `who` must be an enabled user (else
    AccountError). With no users, the one asked for."""
    if not accounts.any_users():
        return requester
    return listed_requester(_viewer(accounts, who), requester)


def requester_scopes(
    accounts: Accounts,
    who: str,
    default: Sequence[str],
    asked: Sequence[str] | None = None,
    thread_owner: str | None = None,
    priority: str | None = None,
    thread: str = "",
) -> list[str]:
    """The scopes a request made on the command line as `who` runs with; AccountError if
    `who` may not make it. The API's rules, for the CLI: once users exist the requester is one
    of them, enabled, on their own thread, within their scopes (`asked` may narrow them, never
    widen them) and at most their priority; another's `thread` (its id, `thread_owner` its
    requester) is NotFound to a plain requester, as `thread show` says. With no users (one
    person on one machine) `asked` or `default` holds."""
    if not accounts.any_users():
        return list(asked if asked is not None else default)
    user = _viewer(accounts, who)
    if thread_owner is not None and thread_owner != who:
        check_viewer(accounts, who, thread_owner, f"thread {thread}", "of yours")  # the API's 404
        raise AccountError("only the thread's requester may send requests on it")
    if priority in PRIORITIES and PRIORITIES.index(priority) > PRIORITIES.index(user.priority):
        raise AccountError(f"priority {priority} is above {who}'s priority ({user.priority})")
    own = list(user.scopes if user.scopes is not None else default)
    if asked is None:
        return own
    beyond = sorted(set(asked) - set(own))
    if beyond:
        raise AccountError(
            f"{who} may not reach {', '.join(beyond)} (their scopes: {', '.join(own) or 'none'})"
        )
    return list(asked)
