"""The web review queue under /ui: server-rendered pages, a session cookie, CSRF on every form.

Sign-in takes an API token and opens a server-side session (the cookie is a random value,
HttpOnly, SameSite=Strict; the table keeps its hash). Every form carries the session's CSRF
token (the sign-in form a double-submit cookie). Jinja2 escapes every value, no page has an
inline script, and the Content-Security-Policy says so. The queue refreshes itself by polling
its rows (static/queue.js).
"""

from __future__ import annotations

import hashlib
import hmac
import inspect
import json
import secrets
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import quote, urlencode

from anyio import to_thread
from fastapi import APIRouter, Depends, FastAPI, Form, Header, HTTPException, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from markupsafe import Markup
from pydantic import ValidationError
from starlette.exceptions import HTTPException as StarletteHTTPException

from ringmaster.accounts import Accounts, WebSession, token_hash
from ringmaster.agent_status import seconds_text
from ringmaster.api import plan_graph, progress
from ringmaster.api.deps import AppState, Caller, StateDep
from ringmaster.api.errors import status_for
from ringmaster.api.routes.reviews import claim_item, decide
from ringmaster.api.schemas import ActionEdit, DecisionIn
from ringmaster.api.views import review_out, thread_out
from ringmaster.clock import utcnow
from ringmaster.decision_text import decision_lines
from ringmaster.decisions import parse_args_json
from ringmaster.errors import RingmasterError
from ringmaster.graph.nodes.review import own_description
from ringmaster.graph.review_actions import ROUTE_ACTION
from ringmaster.queries import ReviewFilter, list_reviews
from ringmaster.transcript import request_line, said
from ringmaster.untrusted_text import clean

HERE = Path(__file__).parent
COOKIE = "rm_session"
LOGIN_CSRF = "rm_login_csrf"
MAX_AGE_MINUTES = 10 * 366 * 24 * 60
SECURITY_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self'; "
        "form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
    ),
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "Cache-Control": "no-store",
}
STATUSES = ("pending", "decided", "resumed", "all")
PRIORITY_NAMES = ("urgent", "high", "normal", "low")
PAGE = 50  # rows per queue page

templates = Jinja2Templates(directory=str(HERE / "templates"))
templates.env.filters["seconds"] = seconds_text  # as `ringmaster status` prints them
templates.env.filters["pretty"] = lambda v: json.dumps(v, indent=2, ensure_ascii=False, default=str)


def _shown(value: Any) -> Any:
    """Every `{{ … }}` of a page: text without bidi overrides or control characters (a request's
    U+202E would show its words reversed), as the CLI prints it; markup stays markup."""
    if isinstance(value, Markup):
        return Markup(clean(str(value)))
    return clean(value) if isinstance(value, str) else value


templates.env.finalize = _shown
router = APIRouter(prefix="/ui", include_in_schema=False)


class SignInNeeded(Exception):
    """No live session: the browser goes to the sign-in page."""


def page(
    request: Request, name: str, context: dict[str, Any], status_code: int = 200
) -> HTMLResponse:
    return templates.TemplateResponse(
        request, name, context, status_code=status_code, headers=SECURITY_HEADERS
    )


def live_session(request: Request, accounts: Accounts) -> WebSession | None:
    """The session the request's cookie names while it is live and its user a reviewer
    (none is opened for anyone else, but a reviewer's role may change), else None."""
    cookie = request.cookies.get(COOKIE, "")
    session = accounts.session(cookie) if cookie else None
    return session if session is not None and session.user.can("reviewer") else None


def web_session(request: Request, state: StateDep) -> WebSession:
    session = live_session(request, state.accounts)
    if session is None:
        raise SignInNeeded
    return session


SessionDep = Annotated[WebSession, Depends(web_session)]


def _caller(request: Request, session: WebSession) -> Caller:
    return Caller(session.user, "web:" + token_hash(request.cookies.get(COOKIE, "")))


def _check_csrf(session: WebSession, csrf: str) -> None:
    if not hmac.compare_digest(session.csrf.encode(), csrf.encode()):
        raise HTTPException(403, "the form is stale or forged (CSRF check failed); reload it")


# -- sign-in ----------------------------------------------------------------------------------
def _login_field(settings: Any, cookie: str) -> str:
    """The sign-in form's CSRF field for a cookie: keyed, so a cookie planted from another
    subdomain, with a field to match, is useless without the server's key."""
    key = hashlib.sha256(b"ringmaster login csrf:" + settings.audit_secret()).digest()
    return hmac.new(key, cookie.encode(), hashlib.sha256).hexdigest()


@router.get("/login")
def login_page(request: Request, state: StateDep) -> HTMLResponse:
    # No `?error=` here: a message on this page is only ever one the server wrote.
    return login_form(request, state)


def login_form(request: Request, state: Any, error: str | None = None) -> HTMLResponse:
    cookie = secrets.token_urlsafe(24)
    field = _login_field(state.settings, cookie)
    resp = page(request, "login.html", {"csrf": field, "error": error})
    resp.set_cookie(LOGIN_CSRF, cookie, httponly=True, samesite="strict", path="/ui")
    return resp


@router.post("/login")
def login(
    request: Request,
    state: StateDep,
    token: Annotated[str, Form(max_length=200)] = "",
    csrf: Annotated[str, Form(max_length=100)] = "",
) -> Response:
    cookie = request.cookies.get(LOGIN_CSRF, "")
    expected = _login_field(state.settings, cookie) if cookie else ""
    if not expected or not hmac.compare_digest(expected.encode(), csrf.encode()):
        return login_form(request, state, "The sign-in form expired; try again.")
    user = state.accounts.authenticate(token.strip())
    if user is None:
        return login_form(request, state, "That token is unknown, or its user is disabled.")
    if not user.can("reviewer"):
        msg = f"{user.name} is a {user.role}; the queue is for reviewers."
        return login_form(request, state, msg)
    cookie, _ = state.accounts.open_session(user, state.settings.api_session_hours)
    resp = RedirectResponse("/ui", status_code=303)
    resp.set_cookie(
        COOKIE,
        cookie,
        max_age=int(state.settings.api_session_hours * 3600),
        httponly=True,
        samesite="strict",
        secure=state.settings.api_secure_cookies,
        path="/ui",
    )
    resp.delete_cookie(LOGIN_CSRF, path="/ui")
    return resp


@router.post("/logout")
def logout(
    request: Request,
    state: StateDep,
    session: SessionDep,
    csrf: Annotated[str, Form(max_length=100)] = "",
) -> Response:
    _check_csrf(session, csrf)
    state.accounts.close_session(request.cookies.get(COOKIE, ""))
    resp = RedirectResponse("/ui/login", status_code=303)
    resp.delete_cookie(COOKIE, path="/ui")
    return resp


# -- the queue --------------------------------------------------------------------------------
async def _filters(
    status: Annotated[str, Query(max_length=16)] = "pending",
    agent: Annotated[str, Query(max_length=64)] = "",
    category: Annotated[str, Query(max_length=64)] = "",
    priority: Annotated[str, Query(max_length=16)] = "",
    assignee: Annotated[str, Query(max_length=64)] = "",
    older_than: Annotated[str, Query(max_length=12)] = "",
) -> dict[str, str]:
    return {
        "status": status if status in STATUSES else "pending",
        "agent": agent.strip(),
        "category": category.strip(),
        "priority": priority if priority in PRIORITY_NAMES else "",
        "assignee": assignee.strip(),
        # Minutes, up to ten years: a larger number is no filter anyone means, and would
        # overflow a date (it was a 500).
        "older_than": older_than if 0 <= _count(older_than) <= MAX_AGE_MINUTES else "",
    }


def _count(text: str) -> int:
    """A count typed in the plain digits 0-9, else -1. str.isdigit() also passes "²", which
    int() refuses: a ValueError and a 500 (an age filter of "²", a form field "args_²")."""
    return int(text) if text.isascii() and text.isdigit() else -1


FiltersDep = Annotated[dict[str, str], Depends(_filters)]


def _rows(state: AppState, f: dict[str, str], offset: int) -> tuple[list[Any], int]:
    filt = ReviewFilter(
        status=None if f["status"] == "all" else f["status"],
        agent=f["agent"] or None,
        category=f["category"] or None,
        priority=f["priority"] or None,
        assignee=f["assignee"] or None,
        min_age_seconds=int(f["older_than"]) * 60 if f["older_than"] else None,
    )
    items, total = list_reviews(state.runner.engine, filt, limit=PAGE, offset=offset)
    now = utcnow()
    return [review_out(i, now) for i in items], total


@router.get("")
def queue(
    request: Request,
    state: StateDep,
    session: SessionDep,
    f: FiltersDep,
    offset: Annotated[int, Query(ge=0, le=1_000_000)] = 0,
) -> HTMLResponse:
    rows, total = _rows(state, f, offset)
    query = urlencode({k: v for k, v in f.items() if v})
    return page(
        request,
        "queue.html",
        {
            "me": session.user,
            "csrf": session.csrf,
            "rows": rows,
            "total": total,
            "offset": offset,
            "f": f,
            "statuses": STATUSES,
            "priorities": PRIORITY_NAMES,
            "agents": sorted(state.agent_names()),
            "refresh_url": f"/ui/rows?{query}&offset={offset}",
            "refresh_ms": int(state.settings.ui_refresh_seconds * 1000),
            "prev": max(0, offset - PAGE) if offset else None,
            "next": offset + PAGE if offset + PAGE < total else None,
            "query": query,
        },
    )


@router.get("/rows")
def queue_rows(
    request: Request,
    state: StateDep,
    session: SessionDep,
    f: FiltersDep,
    offset: Annotated[int, Query(ge=0, le=1_000_000)] = 0,
) -> HTMLResponse:
    rows, total = _rows(state, f, offset)
    return page(request, "_rows.html", {"rows": rows, "total": total})


# -- one item ---------------------------------------------------------------------------------
def _allowed(payload: dict[str, Any]) -> list[str]:
    configs = payload.get("review_configs", [])
    sets = [set(c.get("allowed_decisions", [])) for c in configs] or [set()]
    common = set.intersection(*sets)
    return [d for d in ("approve", "edit", "reject", "respond") if d in common]


def _item_page(
    request: Request,
    state: StateDep,
    session: WebSession,
    item_id: str,
    error: str | None = None,
    status_code: int = 200,
    typed: dict[str, str] | None = None,
) -> HTMLResponse:
    """The item's page; after a refused decision, `typed` (the form as sent) fills the form
    again, so the reviewer corrects their text instead of typing it anew. An id that is no
    item is the error page (opened, decided or claimed alike)."""
    try:
        item = state.runner.queue.find(item_id)
    except RingmasterError as exc:
        return _error_page(request, session, exc)
    ctx = item.payload.get("context", {})
    # Each action's own description: the context packaged onto the first one for an inbox
    # that shows nothing else is on this page already, each part in its place.
    actions = [{**a, "description": own_description(str(a.get("description") or ""), item.payload)}
               for a in item.payload.get("action_requests", [])]  # fmt: skip
    return page(
        request,
        "item.html",
        {
            "me": session.user,
            "csrf": session.csrf,
            "item": item,
            "row": review_out(item),
            "ctx": ctx,
            "actions": actions,
            "allowed": _allowed(item.payload),
            "refused": item.payload.get("refused"),
            "own": item.requester == session.user.name,
            "decided": decision_lines(item),  # what was done, beside what was proposed
            "route_action": ROUTE_ACTION,
            "agents": sorted(state.agent_names()),
            "error": error,
            "typed": {k: v for k, v in (typed or {}).items() if k != "csrf"},
        },
        status_code=status_code,
    )


@router.get("/reviews/{item_id}")
def review_page(item_id: str, session: SessionDep) -> RedirectResponse:
    """A review's page by the API's name for it (/reviews/ID): the item page. Signed in only
    (`session`), as every /ui page: a signed-out browser goes to the sign-in page."""
    return RedirectResponse(f"/ui/items/{quote(item_id[:64], safe='')}", status_code=303)


@router.get("/items/{item_id}")
def item_page(request: Request, item_id: str, state: StateDep, session: SessionDep) -> HTMLResponse:
    return _item_page(request, state, session, item_id[:64])


@router.post("/items/{item_id}/claim")
def item_claim(
    request: Request,
    item_id: str,
    state: StateDep,
    session: SessionDep,
    csrf: Annotated[str, Form(max_length=100)] = "",
) -> Response:
    _check_csrf(session, csrf)
    caller = _caller(request, session)
    try:
        item = claim_item(state, caller, item_id[:64])
    except (RingmasterError, HTTPException) as exc:
        return _item_page(request, state, session, item_id[:64], _message(exc), _code(exc))
    return RedirectResponse(f"/ui/items/{item.id}", status_code=303)


@router.post("/items/{item_id}/decide")
async def item_decide(
    request: Request, item_id: str, state: StateDep, session: SessionDep
) -> Response:
    form = await request.form(max_fields=120, max_files=0)
    fields = {k: v for k, v in form.items() if isinstance(v, str)}
    _check_csrf(session, fields.get("csrf", ""))
    caller = _caller(request, session)
    item_id = item_id[:64]

    def run() -> Response:
        try:
            body = _decision_from_form(fields)
            out = decide(state, caller, item_id, body)
        except (RingmasterError, HTTPException) as exc:
            return _item_page(
                request, state, session, item_id, _message(exc), _code(exc), typed=fields
            )
        return RedirectResponse(f"/ui/threads/{out.thread_id}", status_code=303)

    return await to_thread.run_sync(run)


def _decision_from_form(fields: dict[str, str]) -> DecisionIn:
    kind = fields.get("decision", "")
    edits = []
    if kind == "edit":
        for key, text in sorted(fields.items()):
            action = _count(key[5:]) if key.startswith("args_") else -1
            if action >= 0:
                args = parse_args_json(text, f"action {action}")
                edits.append(ActionEdit(action=action, args=args))
    try:
        return DecisionIn(
            decision=kind,  # type: ignore[arg-type]
            edits=edits or None,
            reason=fields.get("reason") or None,
            message=fields.get("message") or None,
        )
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        raise InvalidForm(f"{where}: {first['msg']}") from None


class InvalidForm(RingmasterError):
    """A decision form that does not make a decision."""


def _message(exc: Exception) -> str:
    return str(exc.detail) if isinstance(exc, HTTPException) else str(exc)


def _code(exc: Exception) -> int:
    if isinstance(exc, HTTPException):
        return exc.status_code
    if isinstance(exc, InvalidForm):
        return 422
    return status_for(exc)


def _error_page(request: Request, session: WebSession, exc: Exception) -> HTMLResponse:
    ctx = {"me": session.user, "csrf": session.csrf, "error": _message(exc)}
    return page(request, "error.html", ctx, status_code=_code(exc))


# -- a thread ---------------------------------------------------------------------------------
@router.get("/threads/{thread_id}")
def thread_page(
    request: Request, thread_id: str, state: StateDep, session: SessionDep
) -> HTMLResponse:
    """The conversation, this turn's plan as a graph that follows the run live, its reviews."""
    try:
        row = state.runner.threads.get(thread_id[:64])
        out = state.runner.outcome(row.id)
        history = state.runner.history(row.id) if row.turn else []
        # The words typed, and what they were read as where it differs (the history's text).
        typed = said(state.runner, row.id)
        history = [{**h, "request": request_line(typed.get(h["turn"]), h["request"])}
                   for h in history]  # fmt: skip
        latest = request_line(typed.get(row.turn), row.last_request or "")
        after = state.runner.audit.last_seq(row.id)
    except RingmasterError as exc:
        return _error_page(request, session, exc)
    return page(
        request,
        "thread.html",
        {
            "me": session.user,
            "csrf": session.csrf,
            "thread": thread_out(row),
            "out": out,
            "history": history,
            "latest_request": latest,
            "graph": plan_graph.layout(out.plan, out.results),
            "node": {"w": plan_graph.NODE_W, "h": plan_graph.NODE_H},
            "events": f"/ui/threads/{row.id}/events?after={after}",
            "pending": [review_out(p) for p in out.pending],
        },
    )


@router.get("/threads/{thread_id}/events")
async def thread_events(
    request: Request,
    thread_id: str,
    state: StateDep,
    session: SessionDep,
    after: Annotated[int, Query(ge=0, le=progress.LAST_SEQ)] = 0,
    last_event_id: Annotated[str | None, Header(max_length=20)] = None,
) -> Response:
    """The thread's events for its page, the stream the API serves at /threads/…/events, which
    goes on while the thread waits for a review: a decision made anywhere moves the page."""
    row = await to_thread.run_sync(state.runner.threads.get, thread_id[:64])
    after = progress.resume_after(after, last_event_id)
    gen = progress.stream(
        state.runner,
        state.hub,
        row.id,
        after=after,
        turn=row.turn,
        poll=state.settings.api_poll_seconds,
        limit=state.settings.api_stream_seconds,
        settled=("completed", "needs_input", "failed", "quarantined", "cancelled"),
    )
    return progress.response(gen, ping=state.settings.api_ping_seconds, headers=SECURITY_HEADERS)


def install(app: FastAPI) -> None:
    """Mount the pages, their assets, and the handlers that keep errors on pages."""
    app.include_router(router)
    app.mount("/ui/static", StaticFiles(directory=str(HERE / "static")), name="ui-static")

    async def to_login(request: Request, exc: Exception) -> Response:
        if request.method == "GET" and not request.url.path.startswith("/ui/rows"):
            return RedirectResponse("/ui/login", status_code=303)
        return Response("sign in first", status_code=401, media_type="text/plain")

    app.add_exception_handler(SignInNeeded, to_login)
    problem = app.exception_handlers[StarletteHTTPException]

    async def not_found(request: Request, exc: Exception) -> Response:
        # A page a person typed or followed under /ui is a page too when there is none: the
        # API's JSON problem is for /api and for scripts.
        path = request.url.path
        status = getattr(exc, "status_code", 0)
        if status == 404 and request.method in ("GET", "HEAD") and _under_ui(path):
            accounts = request.app.state.rm.accounts
            session = await to_thread.run_sync(live_session, request, accounts)
            ctx = {
                "me": session.user if session else None,
                "csrf": session.csrf if session else "",
                "error": f"There is no page at {path}.",
            }
            return page(request, "error.html", ctx, status_code=404)
        answer = problem(request, exc)
        return await answer if inspect.isawaitable(answer) else answer

    app.add_exception_handler(StarletteHTTPException, not_found)


def _under_ui(path: str) -> bool:
    return path == "/ui" or path.startswith("/ui/")
