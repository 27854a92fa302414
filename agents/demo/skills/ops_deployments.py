"""What is deployed: what runs now or ran on a day or in a period, what went out in it, and the
deployers a request names."""

from __future__ import annotations

import calendar
import re
from datetime import datetime
from typing import Any

from ringmaster.agents.demo.skills import parsing as p
from ringmaster.agents.demo.skills.ops_records import DEPLOYMENT_ID, get_deployment, scope_words
from ringmaster.agents.demo.skills.paging import every
from ringmaster.tools.base import ToolBox
from ringmaster.tools.demo.periods import name as span_name

# "what version of web was running in production on June 1?", "which version of api was in
# prod last month?": the one version a day or period asks of (`version_asked_at`).
_ONE_VERSION = r"\b(?:what|which)\s+version\b(?!s)"


def running_now(
    text: str,
    tools: ToolBox,
    out: dict[str, Any],
    notes: list[str],
    at: dict[str, str] | None = None,
) -> None:
    """What runs now in each service and environment `text` asks of (every one it leaves
    open), from its newest succeeded deployment; those deployments are the answer's
    `deployments` (a listing after it may take their place), so "roll that back" next is the
    one running. With `at` (`current_versions`'s `on` or `period`), what ran at the end of that
    day or period instead. Deployments named by id
    ("DEP-1028 and DEP-1022: which one's live on web prod?") narrow it to where they went,
    each said running or not."""
    services, env = p.services(text), p.environment(text)
    named = [d for i in p.ids(DEPLOYMENT_ID, text) if (d := get_deployment(tools, i)) is not None]
    where = {(d["service"], d["environment"]) for d in named}
    rows = [
        r
        for s in p.each_service(services or sorted({s for s, _ in where}))
        for r in tools.call("current_versions", service=s, environment=env, **(at or {}))
        if services or env or not where or (r["service"], r["environment"]) in where
    ]
    out["services"] = out["services"] or list(dict.fromkeys(r["service"] for r in rows))
    out["deployments"] = [
        {
            "id": r["deployment_id"],
            "service": r["service"],
            "version": r["version"],
            "previous_version": r["previous_version"],
            "environment": r["environment"],
            "status": "succeeded",
            "deployed_at": r["deployed_at"],
            "deployed_by": r["deployed_by"],
        }
        for r in rows
        if r["deployment_id"] is not None
    ]
    by_service: dict[str, list[str]] = {}
    for r in rows:
        by_service.setdefault(r["service"], []).append(
            f"nothing in {r['environment']}{' yet' if at else ''}"
            if r["version"] is None
            else f"{r['version']} in {r['environment']} ({r['deployment_id']}, deployed "
            f"{r['deployed_at'][:10]} by {r['deployed_by']})"
        )
    when = "running now"
    if at and rows:
        when = f"running {_day_words(text, at, rows[0]['as_of'])}"
    notes.append(
        f"{when}: " + "; ".join(f"{s} {', '.join(each)}" for s, each in by_service.items())
    )
    ids = {r["deployment_id"] for r in rows}
    for d in named:
        if d["id"] not in ids:
            notes.append(
                f"{d['id']} ({d['service']} {d['version']} in {d['environment']}, "
                f"{d['status']}) is not what runs there"
            )
    versions = [v for v in p.VERSION.findall(text) if v not in {r["version"] for r in rows}]
    if versions:
        scope = scope_words(services, env).strip()
        notes.append(
            f"{', '.join(versions)} is not running {f'in {scope}' if scope else 'anywhere'}"
        )


def version_asked_at(text: str) -> dict[str, str] | None:
    """`current_versions`'s `on` or `period` for a question of the one version that ran on a
    day ("what version of web was running in production on June 1?" is {"on": "06-01"}), in
    a month (its last day) or in a period ("… last month?" is {"period": "last_month"}): the
    newest deployment that succeeded by its end; {} for dates that are not one day, month or
    period ("on the 1st" of no month, "on June 1 and 12"), to ask which. None for any other
    question or a span ("since May"). Answered as a listing, "on June 1" had found none
    deployed that day and said nothing, and "last month" had given the failed 3.8.0 as what
    ran."""
    if not p.has(text, _ONE_VERSION) or DEPLOYMENT_ID.search(text):
        return None
    if p.has(text, r"\b(?:since|until|till|before|after|between|through)\b"):
        return None
    months, days = p.dates_in(text)
    period = p.period_in(text)
    if len(months) == 1 and len(days) <= 1 and not period:
        month = min(months)
        # A month alone is its last day (February's 28th: its 29th is in no year the words give).
        day = min(days) if days else calendar.monthrange(2001, month)[1]
        return {"on": f"{month:02d}-{day:02d}"}
    # A period that reaches now ("today", "this month") asks what runs now (`running_now`).
    reaches_now = period.get("period") == "today" or period.get("period", "").startswith("this_")
    if not months and not days and set(period) == {"period"} and not reaches_now:
        return {"period": period["period"]}
    return {} if months or days else None


def _day_words(text: str, at: dict[str, str], as_of: str) -> str:
    """ "on 1 June 2025", "in last calendar month, as of 31 May 2025": the day, month or
    period a `current_versions` answer (`as_of`, its last day) is of."""
    day = datetime.fromisoformat(as_of)
    said = f"{day.day} {day:%B %Y}"
    if at.get("period") == "yesterday":
        return f"on {said}"
    if "period" in at:
        return f"in {span_name(period=at['period'])}, as of {said}"
    if not p.dates_in(text)[1]:
        return f"in {day:%B}, as of {said}"
    if as_of[5:] != at["on"][-5:]:
        return f"now ({said}: {at['on']} has not come yet)"
    return f"on {said}"


def went_out(
    text: str, tools: ToolBox, services: list[str], env: str | None, at: dict[str, str]
) -> list[dict[str, Any]]:
    """The deployments made in the month or period of `at` (none for a day), newest first:
    a period's by the tool, a month's by its words (`at` then holds its last day)."""
    if p.dates_in(text)[1]:
        return []
    period = {} if "on" in at else at
    found = [
        d
        for s in p.each_service(services)
        for d in every(tools, "list_deployments", service=s, environment=env, **period)
    ]
    found = p.on_dates(found, "deployed_at", text)
    return sorted(found, key=lambda d: d["deployed_at"], reverse=True)


def dates_said(text: str) -> str:
    """ " in June", " on June 1", " on the 14th or 15th": the dates a request names."""
    months, days = p.dates_in(text)
    month = " or ".join(p.MONTHS[m - 1].title() for m in sorted(months))
    if not days:
        return f" in {month}"
    day = " or ".join(str(d) for d in sorted(days))
    return f" on {month} {day}" if months else f" on day {day} of any month"


def deployers_named(text: str, tools: ToolBox) -> set[str]:
    """The deployers `text` names, by handle ("sam.ortiz"), full name ("Sam Ortiz") or first
    name ("what did kim ship"): the handles of those who deployed anything; an empty set for
    none. A listing left them unread had listed everyone's deployments, or none."""
    low = text.lower()
    handles = {d["deployed_by"] for d in every(tools, "list_deployments")}
    named = set()
    for handle in handles:
        parts = [re.escape(w) for w in re.split(r"[._-]", handle.lower()) if w]
        said = [re.escape(handle.lower()), r"\s+".join(parts)]
        if len(parts) > 1:
            said.append(parts[0])
        if re.search(rf"(?<![\w.])(?:{'|'.join(said)})(?![\w.-])", low):
            named.add(handle)
    return named
