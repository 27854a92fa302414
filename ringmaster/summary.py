"""The summary of a period (`ringmaster summary --since 24h`): every number from the audit trail.

Per agent: subtasks processed (outputs without an error), failed (the agent's own errors),
refused (attempts a tool, the requester's scopes or the request's budget refused: failure kinds
input, scope and budget, which say nothing about the agent), escalated (reviews raised on its
work), approved, rejected, edited and answered by people, timed out (rejected by the deadline
when nobody decided in time, not counted as a person's rejection), withdrawn (called off by
the requester's own turn or superseded by their correction, no reviewer's rejection either), and
corrected (a reviewer
routed its subtask elsewhere, once a subtask, and not since undone); median time per subtask;
the top review categories; the escalation rate against the previous period of the same length.
Then the action items: pending reviews, overdue ones, failed runs and unhealthy agents.
Rendered as Markdown, HTML (with small inline SVG charts) or JSON.
"""

from __future__ import annotations

import html
import re
import statistics
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.engine import Engine

from ringmaster.agent_status import AgentStatus, _tally, agents_fault
from ringmaster.clock import as_utc
from ringmaster.errors import ConfigError
from ringmaster.outbox_queue import queue_once
from ringmaster.review_kinds import DECIDED_AS
from ringmaster.tables import audit_events, review_items, threads, writer

HUMAN = "(person)"  # subtasks the planner sent straight to a person


LONGEST_SINCE_DAYS = 3660  # ten years


def parse_since(text: str, name: str = "--since") -> timedelta:
    """`24h`, `90m`, `7d`, `1d12h` → a timedelta; ConfigError for anything else, naming the
    value as `name` (the CLI's flag, or the API's query parameter `since`)."""
    parts = re.fullmatch(r"(?:(\d+)d)?(?:(\d+)h)?(?:(\d+)m)?", text.strip())
    if not text.strip() or parts is None or not any(parts.groups()):
        raise ConfigError(f"{name} {text!r}: use a length such as 24h, 90m or 7d")
    d, h, m = (int(g or 0) for g in parts.groups())
    # Compared before a timedelta is built: 99999999d was an OverflowError (a traceback, a 500).
    if d * 1440 + h * 60 + m > LONGEST_SINCE_DAYS * 1440:
        raise ConfigError(f"{name} {text!r} is too long: at most {LONGEST_SINCE_DAYS}d")
    span = timedelta(days=d, hours=h, minutes=m)
    if span <= timedelta(0):
        raise ConfigError(f"{name} must be longer than zero")
    return span


@dataclass
class AgentLine:
    agent: str
    processed: int = 0
    failed: int = 0
    refused: int = 0
    escalated: int = 0
    approved: int = 0
    rejected: int = 0
    edited: int = 0
    answered: int = 0
    timed_out: int = 0
    withdrawn: int = 0
    corrected: int = 0
    median_seconds: float | None = None


@dataclass
class Summary:
    start: datetime
    end: datetime
    agents: list[AgentLine]
    requests: int
    escalation_rate: float | None  # reviews raised per subtask planned, this period
    previous_escalation_rate: float | None
    top_categories: list[tuple[str, int]]
    hourly_processed: list[int]
    pending_reviews: int
    overdue_reviews: list[dict[str, Any]]
    failed_runs: list[dict[str, Any]]
    unhealthy_agents: list[dict[str, Any]] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {
            "start": self.start.isoformat(),
            "end": self.end.isoformat(),
            "requests": self.requests,
            "agents": [a.__dict__ for a in self.agents],
            "totals": self.totals(),
            "escalation_rate": self.escalation_rate,
            "previous_escalation_rate": self.previous_escalation_rate,
            "top_categories": [{"category": c, "count": n} for c, n in self.top_categories],
            "hourly_processed": self.hourly_processed,
            "action_items": {
                "pending_reviews": self.pending_reviews,
                "overdue_reviews": self.overdue_reviews,
                "failed_runs": self.failed_runs,
                "unhealthy_agents": self.unhealthy_agents,
            },
        }

    def totals(self) -> dict[str, int]:
        return {k: sum(getattr(a, k) for a in self.agents) for k in COLUMNS}


def _rate(rows: list[Any]) -> float | None:
    # A pleasantry the supervisor answered (`reply`) planned no work; plan events written
    # before it was `Plan.reply` alone count a stand-in subtask beside it.
    plans = [r[4] for r in rows if r[2] == "plan" and not r[4].get("reply")]
    planned = sum(len(p.get("subtasks", [])) for p in plans)
    raised = sum(1 for r in rows if r[2] == "interrupt")
    return raised / planned if planned else None


def build_summary(
    engine: Engine, start: datetime, end: datetime, statuses: list[AgentStatus] | None = None
) -> Summary:
    """The period [start, end): see the module docstring. `statuses` gives unhealthy agents."""
    span = end - start
    q = (
        select(
            audit_events.c.thread_id,
            audit_events.c.at,
            audit_events.c.kind,
            audit_events.c.actor,
            audit_events.c.data,
        )
        .where(audit_events.c.at >= start - span, audit_events.c.at < end)
        .order_by(audit_events.c.seq)
    )
    with engine.connect() as conn:
        rows = [(t, as_utc(at), k, a, d) for t, at, k, a, d in conn.execute(q)]
    current = [r for r in rows if r[1] >= start]  # type: ignore[operator]
    previous = [r for r in rows if r[1] < start]  # type: ignore[operator]
    lines: dict[str, AgentLine] = {}

    def line(agent: str | None) -> AgentLine:
        name = agent or HUMAN
        return lines.setdefault(name, AgentLine(name))

    # Reviews are attributed to the agent whose work raised them (their interrupt event).
    raised_by: dict[str, str | None] = {}
    interrupts = select(audit_events.c.data).where(
        audit_events.c.kind == "interrupt", audit_events.c.at >= start - timedelta(days=30)
    )
    with engine.connect() as conn:
        for (data,) in conn.execute(interrupts):
            raised_by[data.get("item_id", "")] = data.get("agent")
    categories: Counter[str] = Counter()
    hourly = [0] * max(1, int(span.total_seconds() // 3600))
    # A subtask has one correction: a replaced one counts once, a removed one not at all.
    standing: dict[tuple[Any, ...], tuple[bool, str | None]] = {}
    for thread, at, kind, actor, data in current:
        assert at is not None
        if kind == "agent_output":
            agent_line = line(str(actor).removeprefix("agent:"))
            if data.get("error") and not agents_fault(data):
                agent_line.refused += 1  # the request's to change (agent_status: the same)
            elif data.get("error"):
                agent_line.failed += 1
            else:
                agent_line.processed += 1
                slot = int((at - start).total_seconds() // 3600)
                if 0 <= slot < len(hourly):
                    hourly[slot] += 1
        elif kind == "interrupt":
            line(data.get("agent")).escalated += 1
        elif kind == "human_decision":
            agent_line = line(raised_by.get(data.get("item_id", "")))
            if data.get("timed_out"):  # nobody decided in time: no person's decision
                agent_line.timed_out += 1
                continue
            if data.get("withdrawn"):  # the requester called it off: no reviewer's decision
                agent_line.withdrawn += 1
                continue
            for d in data.get("decisions", []):
                column = DECIDED_AS.get(d.get("type", ""))
                if column:
                    setattr(agent_line, column, getattr(agent_line, column) + 1)
        elif kind in ("correction", "correction_removed"):
            key = (thread, data.get("subtask_id"), data.get("text"))
            standing[key] = (kind == "correction", data.get("wrong_agent"))
    for stands, wrong in standing.values():
        if stands:
            line(wrong).corrected += 1
    tally = _tally(rows, start)
    for name, t in tally.items():
        if t.durations:
            line(name).median_seconds = statistics.median(t.durations)
    with engine.connect() as conn:
        c = review_items.c
        q2 = (
            select(func.coalesce(c.category, c.kind), func.count())
            .where(c.created_at >= start, c.created_at < end)
            .group_by(func.coalesce(c.category, c.kind))
        )
        categories.update({str(k): int(n) for k, n in conn.execute(q2)})
        pending = conn.execute(select(func.count()).where(c.status == "pending")).scalar() or 0
        overdue = [
            {
                "id": r.id,
                "thread_id": r.thread_id,
                "agent": r.agent,
                "summary": r.summary,
                "deadline": as_utc(r.deadline).isoformat(),  # type: ignore[union-attr]
            }
            for r in conn.execute(
                select(review_items)
                .where(c.status == "pending", c.deadline < end)
                .order_by(c.deadline)
                .limit(20)
            )
        ]
        failed = [
            {"thread_id": r.id, "error": r.error, "since": as_utc(r.updated_at).isoformat()}  # type: ignore[union-attr]
            for r in conn.execute(
                select(threads).where(threads.c.status == "failed").order_by(threads.c.updated_at)
            )
        ]
    return Summary(
        start=start,
        end=end,
        agents=sorted(lines.values(), key=lambda a: (a.agent == HUMAN, a.agent)),
        requests=sum(1 for r in current if r[2] == "request_received"),
        escalation_rate=_rate(current),
        previous_escalation_rate=_rate(previous),
        top_categories=categories.most_common(5),
        hourly_processed=hourly,
        pending_reviews=int(pending),
        overdue_reviews=overdue,
        failed_runs=failed,
        unhealthy_agents=[
            {"agent": s.name, "reasons": s.reasons} for s in statuses or [] if not s.healthy
        ],
    )


def _pct(v: float | None) -> str:
    return "–" if v is None else f"{v:.0%}"


def _secs(v: float | None) -> str:
    if v is None:
        return "–"
    return f"{v:.0f}s" if v < 120 else f"{v / 60:.1f}m"


COLUMNS = (
    "processed", "failed", "refused", "escalated", "approved", "rejected", "edited", "answered",
    "timed_out", "withdrawn", "corrected",
)  # fmt: skip
# The tables' headers: words, as people read them (the JSON keys keep their underscores).
HEADERS = {c: c.replace("_", " ") for c in COLUMNS}


def to_markdown(s: Summary) -> str:
    t = s.totals()
    out = [
        f"# ringmaster summary {s.start:%Y-%m-%d %H:%M} → {s.end:%Y-%m-%d %H:%M} UTC",
        "",
        f"{s.requests} requests; {t['processed']} subtasks processed, {t['failed']} failed, "
        f"{t['refused']} refused, {t['escalated']} escalated (rate {_pct(s.escalation_rate)}, "
        f"previous period {_pct(s.previous_escalation_rate)}); people approved "
        f"{t['approved']}, rejected {t['rejected']}, edited {t['edited']}, "
        f"answered {t['answered']}; "
        f"{t['timed_out']} denied on timeout (nobody decided in time); "
        f"{t['withdrawn']} withdrawn by their requester; "
        f"{t['corrected']} routings corrected.",
        "",
        "## Action items",
        "",
        f"- {s.pending_reviews} review(s) pending, {len(s.overdue_reviews)} overdue",
    ]
    out += [
        f"  - overdue: {r['id']} ({r['agent'] or 'person'}) {r['summary']}"
        for r in s.overdue_reviews
    ]
    out.append(f"- {len(s.failed_runs)} failed run(s)")
    out += [f"  - {r['thread_id']}: {r['error']}" for r in s.failed_runs]
    out.append(f"- {len(s.unhealthy_agents)} unhealthy agent(s)")
    out += [f"  - {a['agent']}: {'; '.join(a['reasons'])}" for a in s.unhealthy_agents]
    out += ["", "## Per agent", ""]
    out.append("| agent | " + " | ".join(HEADERS.values()) + " | median |")
    out.append("|---" * (len(COLUMNS) + 2) + "|")
    for a in s.agents:
        cells = " | ".join(str(getattr(a, c)) for c in COLUMNS)
        out.append(f"| {a.agent} | {cells} | {_secs(a.median_seconds)} |")
    if s.top_categories:
        out += ["", "## Top review categories", ""]
        out += [f"- {c}: {n}" for c, n in s.top_categories]
    return "\n".join(out) + "\n"


def bar_chart(values: list[int], *, width: int = 480, height: int = 80, label: str = "") -> str:
    """An inline SVG bar chart (no script, no style attribute: the pages' CSP allows it)."""
    n = max(1, len(values))
    top = max(values, default=0) or 1
    w = width / n
    bars = []
    for i, v in enumerate(values):
        h = (height - 14) * v / top
        bars.append(
            f'<rect x="{i * w + 1:.1f}" y="{height - 12 - h:.1f}" width="{max(w - 2, 1):.1f}" '
            f'height="{h:.1f}" fill="#3b6ea5"><title>{v}</title></rect>'
        )
    return (
        f'<svg class="chart" role="img" aria-label="{html.escape(label)}" width="{width}" '
        f'height="{height}" viewBox="0 0 {width} {height}" xmlns="http://www.w3.org/2000/svg">'
        + "".join(bars)
        + f'<text x="0" y="{height - 1}" font-size="10" fill="#555">{html.escape(label)} '
        f"(max {max(values, default=0)})</text></svg>"
    )


def to_html(s: Summary) -> str:
    """A standalone page (for mail); the web UI renders the same data in its own template."""
    e = html.escape
    t = s.totals()
    rows = "".join(
        "<tr><td>"
        + e(a.agent)
        + "</td>"
        + "".join(f"<td>{getattr(a, c)}</td>" for c in COLUMNS)
        + f"<td>{_secs(a.median_seconds)}</td></tr>"
        for a in s.agents
    )
    items = [f"<li>{s.pending_reviews} review(s) pending, {len(s.overdue_reviews)} overdue</li>"]
    items += [f"<li>overdue: {e(r['id'])} {e(r['summary'])}</li>" for r in s.overdue_reviews]
    items += [
        f"<li>failed run {e(r['thread_id'])}: {e(str(r['error']))}</li>" for r in s.failed_runs
    ]
    items += [
        f"<li>unhealthy: {e(a['agent'])}: {e('; '.join(a['reasons']))}</li>"
        for a in s.unhealthy_agents
    ]
    per_agent = bar_chart([a.processed for a in s.agents], label="processed per agent")
    return (
        "<!doctype html><html><head><meta charset='utf-8'><title>ringmaster summary</title></head>"
        f"<body><h1>ringmaster summary {s.start:%Y-%m-%d %H:%M} → {s.end:%Y-%m-%d %H:%M} UTC</h1>"
        f"<p>{s.requests} requests; {t['processed']} processed, {t['escalated']} escalated "
        f"(rate {_pct(s.escalation_rate)}, previous {_pct(s.previous_escalation_rate)}).</p>"
        f"<h2>Action items</h2><ul>{''.join(items)}</ul>"
        f"<h2>Per agent</h2><table><tr><th>agent</th>"
        + "".join(f"<th>{h}</th>" for h in HEADERS.values())
        + f"<th>median</th></tr>{rows}</table>"
        f"{bar_chart(s.hourly_processed, label='processed per hour')}{per_agent}"
        "</body></html>"
    )


def render(s: Summary, fmt: str) -> str:
    import json

    if fmt == "md":
        return to_markdown(s)
    if fmt == "html":
        return to_html(s)
    if fmt == "json":
        return json.dumps(s.to_dict(), indent=2, default=str)
    raise ConfigError(f"unknown format {fmt!r}: use md, html or json")


def as_notification(s: Summary) -> dict[str, Any]:
    """The outbox payload that sends a summary: chat text, a mail subject, the HTML."""
    t = s.totals()
    return {
        "kind": "summary",
        "subject": f"ringmaster summary {s.start:%Y-%m-%d %H:%M} → {s.end:%H:%M} UTC",
        "text": (
            f"ringmaster: {t['processed']} processed, {t['escalated']} escalated, "
            f"{s.pending_reviews} reviews pending ({len(s.overdue_reviews)} overdue), "
            f"{len(s.failed_runs)} failed runs, {len(s.unhealthy_agents)} unhealthy agents"
        ),
        "body": to_markdown(s),
        "html": to_html(s),
        "summary": s.to_dict(),
    }


def queue_summary(engine: Engine, s: Summary, item_id: str, now: datetime) -> bool:
    """Queue the summary in the outbox (to the `summary` group) unless a row with `item_id`
    exists: a cron line or a schedule run twice for one period sends one summary."""
    with writer(engine).begin() as conn:
        return queue_once(
            conn,
            item_id=item_id,
            recipient="summary",
            thread_id="",
            payload=as_notification(s),
            now=now,
        )
