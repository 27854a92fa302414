"""The analytics skill: counts, trends and reports over the company's data."""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from ringmaster.agents.demo.skills import parsing as p
from ringmaster.agents.demo.skills.language import asked_back, cannot_read
from ringmaster.agents.demo.skills.paging import every
from ringmaster.agents.runtime import AgentOutput, AgentTask
from ringmaster.tools.base import ToolBox

# First match wins, so the more specific words come first.
_ENTITIES = [
    ("refunds", r"\brefunds\b|\brefunded (amount|total)\b|\btotal refunded\b"),
    ("deployments", r"\bdeploy(ment)?s?\b|\breleases?\b"),
    ("incidents", r"\bincidents?\b"),
    ("alerts", r"\balerts?\b"),
    ("invoices", r"\binvoices?\b|\boverdue\b"),
    ("payments", r"\bpayments?\b"),
    ("credits", r"\bcredits?\b"),
    ("customers", r"\bcustomers?\b|\bsign(ed)?[- ]?ups?\b|\bchurn\w*\b|\bplan distribution\b"),
    ("tickets", r"\btickets?\b|\bsupport volume\b"),
]
_FILTERS: dict[str, dict[str, tuple[str, ...]]] = {
    "tickets": {"status": ("open", "pending", "closed"),
                "priority": ("urgent", "high", "normal", "low")},
    "customers": {"status": ("active", "trial", "suspended", "churned"),
                  "plan": ("free", "starter", "pro", "business", "enterprise")},
    "invoices": {"status": ("paid", "unpaid", "refunded")},
    "payments": {"status": ("failed", "succeeded")},
    "deployments": {"environment": ("production", "staging"),
                    "status": ("failed", "succeeded", "rolled_back")},
    "incidents": {"status": ("open", "resolved"), "severity": ("sev1", "sev2", "sev3", "sev4")},
    "alerts": {"status": ("firing", "resolved"), "severity": ("critical", "warning", "info")},
}  # fmt: skip
_GROUPS = {
    "tickets": ("status", "priority"),
    "customers": ("plan", "status"),
    "invoices": ("status",),
    "payments": ("status",),
    "deployments": ("service", "environment", "status"),
    "incidents": ("service", "severity", "status"),
    "alerts": ("service", "severity", "name"),
}
# Records a count can split by customer, to answer "which customers had a failed payment".
_BY_CUSTOMER = ("tickets", "invoices", "payments", "credits")
_WHICH_CUSTOMERS = (
    r"\b(?:which|what|list(?: the)?|name(?: the)?)\s+customers\b|\bwho\s+(?:had|has|have|got)\b"
)


def analytics(task: AgentTask, tools: ToolBox) -> AgentOutput:
    """Answer one question with numbers; analytics only reads."""
    text = task.description
    # Another language, or a repeat it cannot see: asked, not answered with a count no one asked for
    if (question := cannot_read(text)) is not None:
        empty: dict[str, Any] = {"summary": "", "metric": "none", "data": {}, "value": None,
                                 "period": {"start": None, "end": None}}  # fmt: skip
        return asked_back(empty, task, "report", question)
    period = _period(text, tools)
    notes: list[str] = []
    if p.has(text, r"\b(average|avg|mean)\b.*\bclose|\bkpi\b|\bticket report\b"):
        metric, data, value = _ticket_report(text, tools, period, notes)
    elif p.has(text, r"\b(revenue|billed|income|earn\w*|sales|money)\b") and not p.has(
        text, r"\btop\b"
    ):
        metric, data, value = _revenue(text, tools, period, notes)
    elif p.has(text, r"\b(top|most|biggest|largest)\b") and p.has(text, r"\bcustomers?\b"):
        by = "tickets" if p.has(text, r"\btickets?\b") else "billed"
        n = re.search(r"\btop (\d+)\b", text, re.IGNORECASE)
        data = tools.call("top_customers", metric=by, limit=int(n.group(1)) if n else 5,
                          days=period.get("days"), period=period.get("period"),
                          since=period.get("since"))  # fmt: skip
        metric, value = f"top_customers_by_{by}", None
        notes.append("top customers by " + by + ": " + ", ".join(
            f"{c['name']} ({c['value']})" for c in data["customers"]))  # fmt: skip
    elif not any(p.has(text, pattern) for _, pattern in _ENTITIES):
        # Nothing to count is named: counting all tickets would answer a question not asked.
        return _cannot_answer(task, notes, "no records to count could be read in this request "
                              "(tickets, customers, invoices, payments, credits, refunds, "
                              "deployments, incidents or alerts), so nothing was counted. What "
                              "should be counted, and over which period?")  # fmt: skip
    elif _entity(text) == "customers" and p.has(text, _WHICH_CUSTOMERS):
        if not period and (filters := _filters(text, "customers")):
            # "which customers are on the free plan?": those customers, by name.
            return _customers_of(task, tools, filters)
        # Customers are counted by plan and status only: the number who signed up in the
        # period ("0 customers") is no answer to which customers did something.
        return _cannot_answer(task, notes, "analytics counts customers by plan and status and "
                              "cannot list which customers did something, so nothing was "
                              "counted. Which records (tickets, invoices, payments, credits) "
                              "should be counted per customer?")  # fmt: skip
    else:
        metric, data, value = _count(text, tools, period, notes)
    start, end, words = _bounds(data)
    if start is None and end is None:
        notes.append("over all recorded data")
    elif metric != "revenue_comparison":
        # The span the tools used, in words and dates: "last calendar week (2–8 June 2025)".
        notes.append(f"period: {words or f'{_day(start)} to {_day(end)}'}")
    out: dict[str, Any] = {
        "summary": p.summary(notes, task.feedback),
        "metric": metric,
        "period": {"start": start, "end": end},
        "data": data,
        "value": value,
    }
    return AgentOutput(output=out, category="report")


def _filters(text: str, entity: str) -> dict[str, Any]:
    """The values `text` names of the columns `entity` is counted by: {"plan": "free"}."""
    filters: dict[str, Any] = {}
    for column, values in _FILTERS.get(entity, {}).items():
        for v in values:
            word = "unpaid|overdue" if v == "unpaid" else rf"{v}|{v.replace('_', ' ')}"
            if p.has(text, rf"\b({word})\b") and not p.has(text, rf"\bby {column}\b"):
                filters[column] = v
                break
    return filters


def _customers_of(task: AgentTask, tools: ToolBox, filters: dict[str, Any]) -> AgentOutput:
    """The customers of a plan or a status, each named."""
    found = every(tools, "list_customers", **filters)
    status = f"{filters['status']} " if "status" in filters else ""
    plan = f" on the {filters['plan']} plan" if "plan" in filters else ""
    notes = [f"{len(found)} {status}customer(s){plan}"
             + (": " + ", ".join(p.who(found)) if found else "")]  # fmt: skip
    out: dict[str, Any] = {
        "summary": p.summary(notes, task.feedback),
        "metric": "customers",
        "period": {"start": None, "end": None},
        "data": {"filters": filters, "customers": found},
        "value": len(found),
        "customer_ids": [c["id"] for c in found],
    }
    return AgentOutput(output=out, category="report")


def _cannot_answer(task: AgentTask, notes: list[str], question: str) -> AgentOutput:
    """Nothing counted, said, and asked: a count of something else would read as the answer."""
    asked: dict[str, Any] = {"metric": "none", "period": {"start": None, "end": None},
                             "data": {}, "value": None}  # fmt: skip
    p.ask(asked, notes, question)
    return AgentOutput(output={"summary": p.summary(notes, task.feedback), **asked},
                       category="report")  # fmt: skip


def _entity(text: str) -> str:
    """The records to count: in "which customers had a failed payment", the payments."""
    named = [e for e, pattern in _ENTITIES if p.has(text, pattern)]
    if p.has(text, _WHICH_CUSTOMERS) and len(named) > 1:
        named.remove("customers")
    return named[0] if named else "tickets"


def _label(filters: dict[str, Any]) -> str:
    """The filters a count ran with, as words: "open" for the open-or-pending tickets."""
    return " ".join(v if isinstance(v, str) else v[0] for v in filters.values())


def _period(text: str, tools: ToolBox) -> dict[str, Any]:
    """The tools' period arguments: {"period": "last_week"}, {"since": "last_month"},
    {"days": 30}, {"start": …}."""
    named = p.period_in(text)  # "last week" is the last calendar week, as ops reads it
    if not named and p.has(text, r"\b(monthly|weekly)\b.*\breport\b"):
        named = {"days": 30 if p.has(text, "monthly") else 7}
    if named:
        return named
    days = _days(text, tools)
    if days:
        return days
    months = _months(text, tools)
    return months[0] if months else {}


def _days(text: str, tools: ToolBox) -> dict[str, Any]:
    """The calendar days the text names ("on June 3", "2025-06-03", "between June 2 and June
    4") as one span, from the start of the first to the end of the last; {} for none. A day
    written without its year is in the year the text writes, else the latest one not after the
    company's now."""
    named = p.days_named(text)
    if not named:
        return {}
    years = [int(y) for y in re.findall(r"\b(20\d\d)\b(?!-\d)", text)]
    today = _clock(tools).date()
    found: list[date] = []
    for year, month, day in named:
        written = year or (years[0] if years else None)
        for y in (written,) if written else (today.year, today.year - 1):
            try:
                when = date(y, month, day)
            except ValueError:  # "June 31"
                continue
            if written or when <= today:
                found.append(when)
                break
    if not found:
        return {}
    return {"start": min(found).isoformat(), "end": (max(found) + timedelta(days=1)).isoformat()}


def _clock(tools: ToolBox) -> datetime:
    # The company clock, not the machine's, decides which year "May" is.
    clock = tools.call("count_records", entity="tickets", days=1)["period"]["end"]
    return datetime.fromisoformat(clock)


def _months(text: str, tools: ToolBox) -> list[dict[str, Any]]:
    """Each calendar month the text names, in the order it names them, as a period."""
    low = text.lower()
    named = sorted(
        (m.start(), i + 1)
        for i, name in enumerate(p.MONTHS)
        for m in re.finditer(rf"\b{name}\b", low)
    )
    if not named:
        return []
    years = [int(y) for y in re.findall(r"\b(20\d\d)\b", text)]
    now = _clock(tools)
    out = []
    for _, month in named:
        year = years[0] if years else (now.year if month <= now.month else now.year - 1)
        nxt = f"{year + 1}-01-01" if month == 12 else f"{year}-{month + 1:02d}-01"
        out.append({"start": f"{year}-{month:02d}-01", "end": nxt})
    return list({(m["start"]): m for m in out}.values())


def _buckets_back_to(start: datetime, now: datetime, bucket: str) -> int:
    """How many of the trend's buckets, ending now, reach back to `start`: calendar months for
    "month", else days or weeks counted back from now."""
    if bucket == "month":
        return (now.year - start.year) * 12 + now.month - start.month + 1
    step = timedelta(days=1 if bucket == "day" else 7)
    return -(-(now - start) // step)


def _bounds(data: Any) -> tuple[str | None, str | None, str | None]:
    """The start and end of the period the data covers, and its words when the tools name it."""
    if isinstance(data, dict):
        if isinstance(data.get("period"), dict):
            span = data["period"]
            return span.get("start"), span.get("end"), span.get("words")
        if isinstance(data.get("series"), list) and data["series"]:
            return data["series"][0]["start"], data["series"][-1]["end"], None
        for v in data.values():
            if isinstance(v, dict) and "period" in v:
                return _bounds(v)
    return None, None, None


def _ticket_report(
    text: str, tools: ToolBox, period: dict[str, Any], notes: list[str]
) -> tuple[str, Any, Any]:
    report = tools.call("ticket_report", **period)
    notes.append(
        f"{report['opened']} tickets opened and {report['closed']} closed; average time to "
        f"close {report['avg_hours_to_close']} hours"
    )
    if not p.has(text, r"\bkpi\b"):
        return "ticket_report", report, report["avg_hours_to_close"]
    data = {
        "tickets": report,
        "revenue": tools.call("revenue_report", **period),
        "incidents": tools.call("count_records", entity="incidents", **period),
    }
    notes.append(
        f"revenue billed {data['revenue']['billed']} USD; {data['incidents']['count']} incidents"
    )
    return "kpi_report", data, None


def _revenue(
    text: str, tools: ToolBox, period: dict[str, Any], notes: list[str]
) -> tuple[str, Any, Any]:
    months = _months(text, tools)
    if p.has(text, r"\b(compar\w*|versus|vs\.?|against)\b") and len(months) >= 2:
        first, second = (tools.call("revenue_report", **m) for m in months[:2])
        a, b = Decimal(first["billed"]), Decimal(second["billed"])
        change = a - b
        pct = f" ({change / b * 100:+.1f}%)" if b else ""
        notes.append(
            f"billed {a} USD in {_month_name(months[0])} against {b} USD in "
            f"{_month_name(months[1])}: {change:+} USD{pct}"
        )
        spans = [first["period"], second["period"]]
        data = {
            "periods": [first, second],
            "change": str(change),
            "period": {
                "start": min(x["start"] for x in spans),
                "end": max(x["end"] for x in spans),
            },
        }
        return "revenue_comparison", data, str(change)
    if p.has(text, r"\b(compar\w*|versus|vs)\b") and p.has(text, r"\bmonth\b"):
        data = tools.call("revenue_report", days=60)
        months = data["months"][-2:]
        notes.append("billed by month: " + ", ".join(f"{m['month']} {m['billed']}" for m in months))
        return "revenue_by_month", data, months[-1]["billed"] if months else None
    if p.has(text, r"\b(trend|weekly|per week|monthly|per month)\b"):
        data = tools.call("revenue_report", **period)
        notes.append("billed by month: " + ", ".join(
            f"{m['month']} {m['billed']}" for m in data["months"]))  # fmt: skip
        return "revenue_trend", data, data["billed"]
    data = tools.call("revenue_report", **period)
    notes.append(
        f"billed {data['billed']} USD, collected {data['collected']}, refunded "
        f"{data['refunded']}, net {data['net_revenue']}, outstanding {data['outstanding']}"
    )
    return "revenue", data, data["billed"]


def _count(
    text: str, tools: ToolBox, period: dict[str, Any], notes: list[str]
) -> tuple[str, Any, Any]:
    entity = _entity(text)
    filters = _filters(text, entity)
    if entity in ("deployments", "incidents", "alerts"):
        services = p.services(text)
        if services:
            filters["service"] = services[0]
    included = ""
    if entity == "tickets" and filters.get("status") == "open":
        # An "open" ticket, as people ask for one, is any not closed yet: support lists the
        # pending ones among the open, and get_customer counts them alike.
        filters["status"] = ["open", "pending"]
        included = ", pending ones included"
    if entity == "refunds":
        data = tools.call("revenue_report", **period)
        notes.append(f"{data['refunded']} USD refunded")
        return "refunded_amount", data, data["refunded"]
    if p.has(text, r"\b(trend|per (day|week|month)|daily|weekly|monthly|each month|over time|"
                   r"going up|going down|compared? to|up or down)\b"):  # fmt: skip
        if p.has(text, r"daily|per day|\bdays?\b"):
            bucket = "day"
        elif p.has(text, r"\bweek|weekly"):
            bucket = "week"
        else:
            bucket = "month" if p.has(text, r"month") else "week"
        days = period.get("days") or {"day": 14, "week": 56, "month": 180}[bucket]
        periods = max(2, days // {"day": 1, "week": 7, "month": 30}[bucket])
        if "period" in period or "since" in period:
            # "signups per month this year": back to the named period's start (the trend ends
            # at the company's now), not the default span.
            start = tools.call("count_records", entity=entity, **period)["period"]["start"]
            periods = max(2, _buckets_back_to(datetime.fromisoformat(start), _clock(tools), bucket))
        data = tools.call("trend", entity=entity, bucket=bucket, periods=periods,
                          filters=filters or None)  # fmt: skip
        label = _label(filters)
        notes.append(
            f"{label + ' ' if label else ''}{entity} per {bucket}{included}: "
            + ", ".join(f"{s['start'][:10]} {s['count']}" for s in data["series"])
            + f"; change in the last {bucket}: {data['change']:+d}"
        )
        return f"{entity}_trend", data, data["change"]
    group = next(
        (g for g in _GROUPS.get(entity, ()) if p.has(text, rf"\b(by|per|across) {g}\b")), None
    )
    if group is None and entity in _BY_CUSTOMER and p.has(text, _WHICH_CUSTOMERS):
        group = "customer_id"
    rate = _rate(text, entity, filters) if p.has(text, r"percentage|rate") else None
    if group is None and rate is not None:
        group = rate[0]
    if group is None and p.has(text, r"distribution|break ?down|percentage|rate|stats"):
        group = _GROUPS.get(entity, (None,))[0]
    if rate is not None and group:
        filters.pop(group, None)
    data = tools.call("count_records", entity=entity, filters=filters or None, group_by=group,
                      **period)  # fmt: skip
    # Named by the filters the count ran with: a rate's group filter is dropped above.
    label = _label(filters)
    included = included if "status" in filters else ""
    noun = entity[:-1] if data["count"] == 1 else entity  # "1 incident", "2 incidents"
    line = f"{data['count']} {label + ' ' if label else ''}{noun}{included}"
    if group == "customer_id":
        line += f", from {len(data['groups'])} customer(s)"
        if data["groups"]:
            line += ": " + ", ".join(f"{g['key']} ({g['count']})" for g in data["groups"])
    elif data["groups"]:
        line += " (" + ", ".join(f"{g['key']}: {g['count']}" for g in data["groups"]) + ")"
        if rate is not None and rate[0] == group and data["count"]:
            _, asked = rate
            keys = [asked] if isinstance(asked, str) else asked
            hit = sum(g["count"] for g in data["groups"] if g["key"] in keys)
            pct = round(100 * hit / data["count"], 1)
            key = keys[0]
            line += f"; {pct}% {key}" + (f" ({' or '.join(keys)})" if len(keys) > 1 else "")
            notes.append(line)
            return f"{entity}_{key}_rate", data, pct
    if entity == "invoices" and filters.get("status") == "unpaid":
        unpaid = tools.call("revenue_report", **period)["outstanding"]
        line += f" adding up to {unpaid} USD"
    notes.append(line)
    return f"{entity}_count", data, data["count"]


def _rate(text: str, entity: str, filters: dict[str, Any]) -> tuple[str, Any] | None:
    """The column a rate splits the records by and the value (or values) whose share is
    asked: the one the question names ("what percentage of tickets are open?": open, pending
    too, as support reads it), else the share each kind is asked for most (closed tickets,
    failed deployments, unpaid or refunded invoices). None for a kind with no such share."""
    for column in _GROUPS.get(entity, ()):
        if column in filters:
            return column, filters[column]
    if entity == "deployments":
        return "status", "failed"
    if entity == "invoices":
        return "status", "refunded" if p.has(text, r"refund") else "unpaid"
    if entity == "tickets":
        return "status", "closed"
    return None


def _day(value: str | None) -> str:
    return value[:10] if value else "now"


def _month_name(period: dict[str, Any]) -> str:
    year, month = period["start"][:4], int(period["start"][5:7])
    return f"{p.MONTHS[month - 1].title()} {year}"
