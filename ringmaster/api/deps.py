"""Dependencies as `Annotated` aliases: the app's state, the caller and their role.

Every route but the health checks depends on `current_caller` (through one of the role
aliases); tests walk the route table to keep it so.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, HTTPException, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from ringmaster.accounts import Accounts, User, sees_thread, token_hash
from ringmaster.api.progress import ProgressHub
from ringmaster.api.ratelimit import RateLimiter
from ringmaster.errors import NotFound
from ringmaster.runner import Runner
from ringmaster.settings import Settings
from ringmaster.thread_store import ThreadRow


@dataclass
class AppState:
    """What every request works with; one per app."""

    settings: Settings
    runner: Runner
    accounts: Accounts
    hub: ProgressHub
    request_limit: RateLimiter
    decision_limit: RateLimiter
    ready: bool = False

    def start(self) -> None:
        """Build the graph and resume every decided-but-not-resumed item."""
        _ = self.runner.graph
        self.runner.recover()
        self.ready = True

    def agent_names(self) -> set[str]:
        return set(self.runner.deps.registry.team.names())


# The dependencies that do no I/O are `async def`: FastAPI runs a plain `def` dependency on
# the thread pool, a hop per dependency per request that these do not need.
async def get_state(request: Request) -> AppState:
    state: AppState = request.app.state.rm
    return state


StateDep = Annotated[AppState, Depends(get_state)]

bearer = HTTPBearer(
    auto_error=False,
    description="An API token from `ringmaster users add` or `ringmaster users token`.",
)


@dataclass(frozen=True)
class Caller:
    """The signed-in user and the key their rate limits are counted under."""

    user: User
    key: str


def current_caller(
    state: StateDep,
    creds: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)],
) -> Caller:
    challenge = {"WWW-Authenticate": "Bearer"}
    if creds is None:
        raise HTTPException(401, "send a token: Authorization: Bearer TOKEN", headers=challenge)
    user = state.accounts.authenticate(creds.credentials)
    if user is None:
        raise HTTPException(401, "the token is unknown, or its user is disabled", headers=challenge)
    return Caller(user, token_hash(creds.credentials))


def require(role: str) -> Callable[[Caller], Awaitable[Caller]]:
    async def check(caller: Annotated[Caller, Depends(current_caller)]) -> Caller:
        if not caller.user.can(role):
            raise HTTPException(
                403, f"this needs the {role} role; {caller.user.name} is a {caller.user.role}"
            )
        return caller

    return check


AnyUser = Annotated[Caller, Depends(require("requester"))]
Reviewer = Annotated[Caller, Depends(require("reviewer"))]
Admin = Annotated[Caller, Depends(require("admin"))]


def visible_thread(state: AppState, user: User, thread_id: str) -> ThreadRow:
    """The thread if the user may see it: their own, or any for reviewers and admins.
    Someone else's thread is 'not found', so its existence does not leak."""
    row = state.runner.threads.get(thread_id)
    if not sees_thread(user, row.requester):
        raise NotFound(f"no thread {thread_id!r}")
    return row
