"""The review queue: one row per pending interrupt, decided exactly once.

A decision is a conditional update (`WHERE status = 'pending'`) in its own transaction, so of
any number of concurrent deciders exactly one wins; the others get `AlreadyDecided` and
nothing changes. Resuming the thread is the runner's job; this module only keeps the rows.
"""

from __future__ import annotations

import builtins
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, get_args

from sqlalchemy import func, insert, select, update
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import IntegrityError

from ringmaster.audit import AuditLog
from ringmaster.clock import Clock, as_utc, utcnow
from ringmaster.errors import AlreadyDecided, InvalidDecision, NotFound
from ringmaster.graph.events import decider_actor
from ringmaster.graph.priority import Priority
from ringmaster.review_kinds import DECIDED_AS
from ringmaster.review_summary import summarize
from ringmaster.tables import notifications, review_items, row_by_prefix, writer

# Who escalates an overdue review, and rejects it when its action is denied on timeout.
DEADLINE = "system:deadline"

PRIORITIES = {name: rank for rank, name in enumerate(get_args(Priority))}  # 0 low … 3 urgent
PRIORITY_NAMES = {v: k for k, v in PRIORITIES.items()}


# A decision's type (the HITL response's) as a reviewer says it.
@dataclass(frozen=True)
class ReviewItem:
    """A row of the queue."""

    id: str
    thread_id: str
    turn: int
    subtask_id: str
    kind: str
    agent: str | None
    category: str | None
    priority: str
    requester: str
    status: str
    summary: str
    payload: dict[str, Any]
    decision: dict[str, Any] | None
    decided_by: str | None
    claimed_by: str | None
    created_at: datetime
    decided_at: datetime | None
    resumed_at: datetime | None
    deadline: datetime | None = None
    escalated_at: datetime | None = None
    assignee_group: str | None = None

    @property
    def decided_as(self) -> str | None:
        """What the stored decision was, in a reviewer's words ("approved", "edited",
        "rejected", "answered"; "rejected, approved" for an item of two actions decided
        apart; "timed out" for the deadline's denial, "withdrawn" for the requester's own
        calling-off); None while nothing is decided."""
        if not self.decision:
            return None
        if self.decision.get("timed_out"):
            return "timed out"
        if self.decision.get("withdrawn"):
            return "withdrawn"
        kinds = [d.get("type") for d in self.decision.get("decisions") or []]
        said = [DECIDED_AS.get(str(k), str(k)) for k in kinds]
        return ", ".join(dict.fromkeys(said)) or None

    def to_dict(self, *, with_payload: bool = True) -> dict[str, Any]:
        d = {k: v for k, v in self.__dict__.items() if with_payload or k != "payload"}
        d["decided_as"] = self.decided_as
        for key in ("created_at", "decided_at", "resumed_at", "deadline", "escalated_at"):
            value = d[key]
            d[key] = value.isoformat() if value else None
        return d


def item_from_row(row: Any) -> ReviewItem:
    """A queue row (whole, or a page's columns without payload and decision) as an item."""
    m = row._mapping
    return ReviewItem(
        id=m["id"],
        thread_id=m["thread_id"],
        turn=m["turn"],
        subtask_id=m["subtask_id"],
        kind=m["kind"],
        agent=m["agent"],
        category=m["category"],
        priority=PRIORITY_NAMES.get(m["priority"], "normal"),
        requester=m["requester"],
        status=m["status"],
        summary=m["summary"],
        payload=m["payload"] if "payload" in m else {},  # list pages leave it out
        decision=m.get("decision"),
        decided_by=m["decided_by"],
        claimed_by=m["claimed_by"],
        created_at=as_utc(m["created_at"]),  # type: ignore[arg-type]
        decided_at=as_utc(m["decided_at"]),
        resumed_at=as_utc(m["resumed_at"]),
        deadline=as_utc(m["deadline"]),
        escalated_at=as_utc(m["escalated_at"]),
        assignee_group=m["assignee_group"],
    )


class ReviewQueue:
    """Rows of pending and decided interrupts over any SQLAlchemy engine."""

    def __init__(
        self,
        engine: Engine,
        clock: Clock = utcnow,
        audit: AuditLog | None = None,
        deadline_for: Callable[[str], timedelta] | None = None,
    ) -> None:
        self.engine = engine
        self.writer = writer(engine)
        self.clock = clock
        self.audit = audit
        self.deadline_for = deadline_for  # priority name → how long a review may wait

    def add(self, thread_id: str, interrupt_id: str, payload: dict[str, Any]) -> bool:
        """Insert a pending row for an interrupt; False if it was already there."""
        ctx = payload.get("context", {})
        requester = ctx.get("requester") or {}
        row = {
            "id": interrupt_id,
            "thread_id": thread_id,
            "turn": int(ctx.get("turn", 1)),
            "subtask_id": str(ctx.get("subtask_id", "?")),
            "kind": str(ctx.get("kind", "unknown")),
            "agent": ctx.get("agent"),
            "category": ctx.get("category"),
            "priority": PRIORITIES.get(requester.get("priority", "normal"), 1),
            "requester": str(requester.get("id", "anonymous")),
            "status": "pending",
            "summary": summarize(payload),
            "payload": payload,
            "created_at": self.clock(),
        }
        priority_name = PRIORITY_NAMES[row["priority"]]
        if self.deadline_for is not None:
            row["deadline"] = row["created_at"] + self.deadline_for(priority_name)
        try:
            with self.writer.begin() as conn:
                conn.execute(insert(review_items).values(**row))
                if self.audit:
                    self.audit.append_in(
                        conn,
                        thread_id,
                        "interrupt",
                        "system",
                        item_id=interrupt_id,
                        subtask_id=row["subtask_id"],
                        kind=row["kind"],
                        agent=row["agent"],
                        blocker=ctx.get("blocker"),
                        actions=payload.get("action_requests"),
                        recommended=ctx.get("recommended"),
                    )
        except IntegrityError:
            return False
        return True

    def get(self, item_id: str) -> ReviewItem:
        with self.engine.connect() as conn:
            row = conn.execute(select(review_items).where(review_items.c.id == item_id)).first()
        if row is None:
            raise NotFound(f"no review item {item_id!r}")
        return item_from_row(row)

    def find(self, prefix: str) -> ReviewItem:
        """An item by its id or a unique prefix of it (ids are long; people type prefixes).

        The prefix is literal: `%` and `_` in it are not LIKE wildcards."""
        if len(prefix) >= 32:
            return self.get(prefix)
        return item_from_row(row_by_prefix(self.engine, review_items, prefix, "review item"))

    def list(
        self,
        *,
        status: str | None = "pending",
        thread_id: str | None = None,
        agent: str | None = None,
        kind: str | None = None,
        requester: str | None = None,
        limit: int = 50,
        offset: int = 0,
    ) -> list[ReviewItem]:
        """Items, most urgent and oldest first; `requester`: only those raised on that
        requester's threads."""
        c = review_items.c
        conds = []
        if status:
            conds.append(c.status == status)
        if thread_id:
            conds.append(c.thread_id == thread_id)
        if requester:
            conds.append(c.requester == requester)
        if agent:
            conds.append(c.agent == agent)
        if kind:
            conds.append(c.kind == kind)
        q = (
            select(review_items)
            .where(*conds)
            .order_by(c.priority.desc(), c.created_at, c.id)
            .limit(limit)
            .offset(offset)
        )
        with self.engine.connect() as conn:
            return [item_from_row(r) for r in conn.execute(q)]

    def count(self, *, status: str = "pending", thread_id: str | None = None) -> int:
        c = review_items.c
        q = select(func.count()).select_from(review_items).where(c.status == status)
        if thread_id:
            q = q.where(c.thread_id == thread_id)
        with self.engine.connect() as conn:
            return int(conn.execute(q).scalar_one())

    def claim(self, item_id: str, who: str) -> ReviewItem:
        """Mark a pending item as being looked at by `who` (advisory; deciding is what counts)."""
        with self.writer.begin() as conn:
            done = conn.execute(
                update(review_items)
                .where(review_items.c.id == item_id, review_items.c.status == "pending")
                .values(claimed_by=who, claimed_at=self.clock())
            ).rowcount
        if not done:
            item = self.get(item_id)
            raise AlreadyDecided(f"review item {item_id} is {item.status}, not pending")
        return self.get(item_id)

    def decide(self, item_id: str, response: dict[str, Any], reviewer: str) -> ReviewItem:
        """pending → decided, exactly once. The response is checked first; nothing changes
        when it is invalid or when someone else decided first. (Reviewers decide through
        ringmaster/decisions.py, which checks more and commits with `decide_in`.)"""
        item = self.get(item_id)
        if item.status != "pending":
            raise AlreadyDecided(
                f"review item {item_id} was already decided by {item.decided_by or 'someone'}"
            )
        try:
            from ringmaster.graph.nodes.review import check_response  # LangGraph: only to decide

            check_response(item.payload, response)
        except ValueError as exc:
            raise InvalidDecision(str(exc)) from None
        with self.writer.begin() as conn:
            won = self.decide_in(conn, item, response, reviewer)
        if not won:
            raise AlreadyDecided(f"review item {item_id} was decided by someone else just now")
        return self.get(item_id)

    def decide_in(
        self, conn: Connection, item: ReviewItem, response: dict[str, Any], reviewer: str
    ) -> bool:
        """The conditional update pending → decided and its audit event, in the caller's
        transaction; False (nothing written) when the item is no longer pending."""
        value = {**response, "reviewer": reviewer}
        won = conn.execute(
            update(review_items)
            .where(review_items.c.id == item.id, review_items.c.status == "pending")
            .values(status="decided", decision=value, decided_by=reviewer, decided_at=self.clock())
        ).rowcount
        if won and self.audit:  # the decision and its audit event commit together
            self.audit.append_in(
                conn,
                item.thread_id,
                "human_decision",
                decider_actor(reviewer),
                item_id=item.id,
                subtask_id=item.subtask_id,
                kind=item.kind,
                decisions=response["decisions"],
                reason=response.get("reason"),
                # the deadline's denial, nobody's decision: what the summary counts it by
                timed_out=bool(response.get("timed_out")),
                # the requester's own calling-off (ringmaster/withdraw.py): no reviewer's either
                withdrawn=bool(response.get("withdrawn")),
            )
        return bool(won)

    def status_of(self, item_id: str) -> str | None:
        """An item's status, or None for no such item."""
        c = review_items.c
        with self.engine.connect() as conn:
            return conn.execute(select(c.status).where(c.id == item_id)).scalar_one_or_none()

    def decided_for(self, thread_id: str) -> builtins.list[ReviewItem]:
        """Decisions committed but not yet resumed, for one thread."""
        return self.list(status="decided", thread_id=thread_id, limit=1000)

    def threads_with_decided(self) -> builtins.list[str]:
        c = review_items.c
        with self.engine.connect() as conn:
            rows = conn.execute(select(c.thread_id).where(c.status == "decided").distinct())
            return [r[0] for r in rows]

    def overdue(self, now: datetime, limit: int = 500) -> builtins.list[ReviewItem]:
        """Pending items past their deadline that have not been escalated yet."""
        c = review_items.c
        q = (
            select(review_items)
            .where(c.status == "pending", c.deadline < now, c.escalated_at.is_(None))
            .order_by(c.deadline)
            .limit(limit)
        )
        with self.engine.connect() as conn:
            return [item_from_row(r) for r in conn.execute(q)]

    def notify(
        self,
        conn: Connection,
        item: ReviewItem,
        now: datetime,
        channel: str,
        recipient: str,
        payload: dict[str, Any],
        status: str,
        error: str | None = None,
    ) -> None:
        """Record a notification about `item` (outbox or webhook) in the caller's transaction."""
        conn.execute(
            insert(notifications).values(
                created_at=now,
                item_id=item.id,
                thread_id=item.thread_id,
                channel=channel,
                recipient=recipient,
                payload=payload,
                status=status,
                error=error,
            )
        )

    def mark_escalated(
        self,
        item: ReviewItem,
        now: datetime,
        group: str,
        packet: dict[str, Any],
        run_by: str | None = None,
    ) -> bool:
        """Escalate once: raise the priority, move it to `group`, queue a notification, audit
        (naming `run_by`, the person who ran the pass, when one did).

        False when someone else escalated or decided it first (so running twice is harmless).
        """
        c = review_items.c
        with self.writer.begin() as conn:
            won = conn.execute(
                update(review_items)
                .where(c.id == item.id, c.status == "pending", c.escalated_at.is_(None))
                .values(
                    escalated_at=now,
                    assignee_group=group,
                    priority=min(PRIORITIES[item.priority] + 1, PRIORITIES["urgent"]),
                )
            ).rowcount
            if not won:
                return False
            self.notify(conn, item, now, "outbox", group, packet, "queued")
            if self.audit:
                by = {"run_by": run_by} if run_by else {}
                self.audit.append_in(conn, item.thread_id, "escalation", DEADLINE, **packet, **by)
        return True

    def shown_to(self, item_id: str, who: str) -> builtins.list[str]:
        """What a refused approval told `who` of the item's running totals (`note_shown`),
        read from the store: the caller's copy of the item may predate the refusal."""
        with self.engine.connect() as conn:
            row = conn.execute(
                select(review_items.c.payload).where(review_items.c.id == item_id)
            ).first()
        context = (row.payload.get("context") or {}) if row is not None else {}
        shown = context.get("totals_shown") or {}
        return [str(s) for s in shown.get(who) or []]

    def note_shown(self, item_id: str, who: str, said: builtins.list[str]) -> None:
        """Remember that `who` was told `said` of a pending item's running totals (in its
        context, beside the review's own blocker), so their next approval is not refused."""
        with self.writer.begin() as conn:
            row = conn.execute(
                select(review_items.c.payload).where(
                    review_items.c.id == item_id, review_items.c.status == "pending"
                )
            ).first()
            if row is None:
                return
            payload = dict(row.payload)
            context = dict(payload.get("context") or {})
            shown = dict(context.get("totals_shown") or {})
            shown[who] = [*(shown.get(who) or []), *said]
            payload["context"] = {**context, "totals_shown": shown}
            conn.execute(
                update(review_items)
                .where(review_items.c.id == item_id, review_items.c.status == "pending")
                .values(payload=payload)
            )

    def mark_resumed(self, ids: builtins.list[str]) -> None:
        if not ids:
            return
        with self.writer.begin() as conn:
            conn.execute(
                update(review_items)
                .where(review_items.c.id.in_(ids), review_items.c.status == "decided")
                .values(status="resumed", resumed_at=self.clock())
            )
