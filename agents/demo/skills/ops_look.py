"""The ops skill's look-ups: health, deployments, incidents and alerts, as a request asks."""

from __future__ import annotations

import re
from typing import Any

from ringmaster.agents.demo.skills import parsing as p
from ringmaster.agents.demo.skills.deploy_incidents import incidents_under
from ringmaster.agents.demo.skills.ops_deployments import (
    dates_said,
    deployers_named,
    running_now,
    version_asked_at,
    went_out,
)
from ringmaster.agents.demo.skills.ops_incidents import (
    SEVERITY,
    behind_incidents,
    describe_incidents,
)
from ringmaster.agents.demo.skills.ops_records import (
    DEPLOYMENT_ID,
    INCIDENT_ID,
    SHOWN,
    deployment_fields,
    get_deployment,
    listed_deployment,
    scope_words,
    shown,
)
from ringmaster.agents.demo.skills.paging import every
from ringmaster.tools.base import ToolBox
from ringmaster.tools.demo.periods import name as span_name

# An incident's own state asked about ("what's the status of INC-1012"): its status, not health.
_INCIDENT_STATE = re.compile(r"\bstatus\b", re.I)
# "what's on api staging", "what went out to prod": what is deployed there, not how healthy it is.
_DEPLOYS = (
    r"\b(deploy\w*|release\w*|versions?|running|changed|history|ship(?:s|ped)?)\b"
    r"|\b(?:went|gone|go|goes) (?:out|live)\b"  # "what went out to prod on the 11th"
    # "was anything pushed to prod that day?", "did it go to prod after?", "rolled out"
    r"|\b(?:push(?:ed|es)?|went|gone|go|goes|got) (?:\w+ )?to (?:prod|production|staging)\b"
    r"|\brolled out\b"
    r"|\bwhat(?:'?s| is) (?:(?:running|live|out) )?on\b"
)
# "what version of web is in production?", "which version is auth on": the one version
# running there ("what's on api staging" may ask what went there lately too: a listing).
_RUNNING_VERSION = r"\b(?:what|which)\s+version(?:\s+of\s+[\w-]+)?(?:'?s|\s+is|\s+are)\b"
# A question about what is deployed now, which a period word ("today") does not narrow to
# the deployments made in it.
_NOW = (
    r"\b(?:what|which)(?:'?s| is| are)\s+(?:(?:running|live|deployed)\s+)?(?:on|in)\b"
    r"|\b(?:running|live) (?:on|in)\b|\bcurrently\b|\bright now\b"
    rf"|{_RUNNING_VERSION}"
)
# Words that ask for the deployments made, not only the one running ("what's live on web, and
# its releases?" is a listing too). Read only of a question about what runs now: `_HISTORY`'s
# words ("went", "since", "previous") have made any other a listing already.
_MADE = r"\b(?:deploy(?:ment)?s|releases|versions|last \w+)\b"
# A question about what runs now in words `_DEPLOYS` and `_NOW` need not both hold: "what's
# currently on auth staging?", "which version of api is live in production?", "what version
# is web on?", "what's web running on staging?", "what's in prod?", "what's running?".
_RUNNING = (
    r"\b(?:running|live|deployed)\s+(?:on|in|for)\b"
    r"|\bwhat(?:'?s| is)\s+(?:currently\s+)?(?:running|live|deployed)\b(?!\s+(?:slow|late|hot|out))"
    r"|\bwhat(?:'?s| is)\s+(?:currently|now)\s+(?:on|in)\b"
    r"|\bwhat(?:'?s| is)\s+(?:the\s+)?[\w-]+\s+running\b"
    r"|\bwhat(?:'?s| is)\s+(?:on|in)\s+(?:the\s+)?(?:prod(?:uction)?|staging)\b"
    r"|\b(?:what|which)\s+versions?\s+(?:is|'s|are)\s+(?:the\s+)?[\w-]+\s+(?:on|running|at)\b"
)
# Words that ask what happened, not what is there: "what went out on web today?", "last 5 api
# deploys", "what was running on web in may?": a listing of deployments, however else said.
_HISTORY = (
    r"\b(?:history|went|gone|shipped|changed|pushed|rolled out|was|were|did|got|been|"
    r"recent\w*|previous\w*|earlier|since|until)\b|\blast\s+(?:\d+|few|three|five|ten)\b"
)
# "what's on auth prod", "and whats on api staging": what is there now, the one running (a
# listing had "that one too" next ask among three); "whats deployed on api" stays a listing.
_WHATS_ON = r"\bwhat(?:'?s| is)\s+(?:currently\s+)?on\b"
# Words that say what runs now ("what's running on web?", "which version of api is live in
# production?", "what's currently on auth staging?"): the answer is the running deployment,
# kept for follow-ups. "Whats deployed on api in staging" may ask what went there lately
# too: it stays a listing, with what runs now said beside it (keeping only the running one had
# "roll it back" next act on turns the dev splits mark ambiguous).
_RUNS_NOW = rf"\b(?:running|live|currently|right now)\b|{_RUNNING_VERSION}|{_WHATS_ON}"
# "the latest api deploy in production", "when was web's last release": the one newest
# deployment (of each service named), not the newest few ("the last deploys", "last 3 deploys").
_ONE_LATEST = (
    r"\b(?:latest|last|newest|most\s+recent)\s+(?:(?!\d)[\w.-]+\s+){0,3}?"
    r"(?:deploy(?:ment)?|release|rollout)\b(?!-)"
)
_INCIDENTS = r"\bincidents?\b|\bincs\b"
_ALERTS = r"\balerts?\b|\bfiring\b"
_HEALTH = (
    r"health|healthy|degraded|status|uptime|latency|error|502|5xx|\bdown\b|check|outage|slow|"
    r"\bup\b|working|broken|services?\b|systems?\b|\bops\b|timing out|time-?outs?|going on|"
    r"\b(?:INC|DEP|ALR?)-\d+"
)


def look(
    text: str,
    tools: ToolBox,
    services: list[str],
    env: str | None,
    out: dict[str, Any],
    notes: list[str],
) -> str:
    """Look up what `text` asks of health, deployments, incidents and alerts into `out` and
    `notes`; the answer's category."""
    category = "health"
    wants_deploys = p.has(text, _DEPLOYS)
    # "what's running on web today?": what runs now, per service and environment; never the
    # newest deployments, failed and rolled-back ones among them, as if they all ran.
    history = p.has(text, _HISTORY) or p.dates_in(text) != (set(), set())
    running = not history and ((wants_deploys and p.has(text, _NOW)) or p.has(text, _RUNNING))
    wants_deploys = wants_deploys or running
    wants_incidents = p.has(text, _INCIDENTS)
    wants_alerts = p.has(text, _ALERTS)
    asked_health = p.has(text, _HEALTH)
    # "what is INC-1012 about?", "is INC-1012 still open?": those incidents' own facts; a
    # health report of every service named none of them. Health too only when other words
    # ask for it ("is the api healthy, and what is INC-1012?").
    named_incidents = p.ids(INCIDENT_ID, text)
    if named_incidents:
        asked_health = p.has(INCIDENT_ID.sub(" ", _INCIDENT_STATE.sub(" ", text)), _HEALTH)
        wants_incidents = wants_incidents or not wants_deploys
    # "did DEP-1022 cause an incident?": the incidents that deployment ran for, no health.
    under = wants_incidents and not named_incidents and DEPLOYMENT_ID.search(text) is not None
    if under:
        asked_health = p.has(DEPLOYMENT_ID.sub(" ", text), _HEALTH)
    if not (wants_deploys or wants_incidents or wants_alerts or asked_health or services or env):
        # Nothing here names ops work: a health report would answer a question not asked.
        p.ask(out, notes, "no service, deployment, incident, alert or health check could be "
              "read in this request, so nothing was looked up. What should be checked, and on "
              "which service?")  # fmt: skip
        return category
    wants_health = not (wants_deploys or wants_incidents or wants_alerts) or asked_health
    # "what went out on web this month", "api incidents last week": that period's rows only, by
    # the company's clock, which the tools read (every web deployment back to March had been
    # listed for "this month", and "the production one" next asked among four).
    # "last week" is the calendar week, Monday to Sunday, "the past week" the last 7 days, as
    # analytics reads them; the note names the one used.
    period = p.period_in(text)
    if p.has(text, _NOW) and not history:
        period = {}  # "what's running on web today": what is there now, not today's events
    during = f" {'in ' if 'days' in period else ''}{span_name(**period)}" if period else ""
    if wants_health:
        health = [
            h for s in p.each_service(services) for h in tools.call("service_health", service=s)
        ]
        out["health"] = health
        out["services"] = out["services"] or [h["service"] for h in health]
        notes.append(
            "health: "
            + ", ".join(
                f"{h['service']} {h['status']} (production {h['production_version']})"
                for h in health
            )
        )
    behind = behind_incidents(text, tools, out, notes) if wants_deploys else None
    if behind:
        category = "deployments"
        out["deployments"] = [deployment_fields(d) for d in behind]
        wants_deploys = False
    elif wants_deploys and (at := version_asked_at(text)) is not None:
        # The version that ran then, and what went out in the month or period asked, each
        # deployment with its status: a failed one is never given as what ran.
        category = "deployments"
        if not at:
            p.ask(out, notes, "no version was looked up: which one day (with its month, as in "
                  "'June 1'), month or period do you mean?")  # fmt: skip
        else:
            running_now(text, tools, out, notes, at)
        if at and (went := went_out(text, tools, services, env, at)):
            notes.append(
                "went out in it: "
                + ", ".join(listed_deployment(d, always_status=True) for d in went[:SHOWN])
                + shown(went, True)
            )
        wants_deploys = False
    elif running:
        category = "deployments"
        running_now(text, tools, out, notes)
        # Only what runs now when the words say so (or deployments are named by id); else the
        # listing below too, and its deployments are the ones kept for follow-ups.
        wants_deploys = not (
            DEPLOYMENT_ID.search(text) or (p.has(text, _RUNS_NOW) and not p.has(text, _MADE))
        )
    typed = [d for i in p.ids(DEPLOYMENT_ID, text) if (d := get_deployment(tools, i)) is not None]
    if under and typed:
        category = "incident"
        incidents_under(typed, tools, out, notes)
        wants_deploys = wants_incidents = False
    if wants_deploys and typed and not running:
        # "who deployed DEP-1004?": those deployments, each with who made it, never the
        # newest ten of every service (which named neither the one asked about nor its deployer).
        category = "deployments"
        out["deployments"] = [deployment_fields(d) for d in typed]
        out["services"] = out["services"] or list(dict.fromkeys(d["service"] for d in typed))
        notes.append(
            "; ".join(
                f"{d['id']}: {d['service']} {d['version']} to {d['environment']} on "
                f"{d['deployed_at'][:16]} by {d['deployed_by']} ({d['status']})"
                for d in typed
            )
        )
    elif wants_deploys:
        category = "deployments"
        one = p.has(text, _ONE_LATEST)
        limit = 1 if one else 5 if p.has(text, r"\b(last|latest|recent)\b") else 10
        m = re.search(r"\blast (\d+|five|three|ten)\b", text, re.IGNORECASE)
        if m:
            limit = {"five": 5, "three": 3, "ten": 10}.get(m.group(1).lower()) or int(m.group(1))
        # "the api deploys from the 14th and 15th", "web deploys in june": those days' only,
        # out of every deployment (the newest ten left "the earlier one" to an older day's).
        dated = p.dates_in(text) != (set(), set()) or bool(period)
        # "what did sam.ortiz ship in june": the deployer's, out of every deployment.
        deployers = deployers_named(text, tools)
        by_whom = f" by {' or '.join(sorted(deployers))}" if deployers else ""
        # Filtered by dates or deployer below: every deployment, not the newest few.
        everything = dated or bool(deployers)
        found: list[dict[str, Any]] = []
        complete = True  # no service's listing reached the limit: `found` is all there are
        for s in p.each_service(services):
            args: dict[str, Any] = {"service": s, "environment": env, **period}
            if everything:
                found += every(tools, "list_deployments", **args)
                continue
            batch = tools.call("list_deployments", limit=limit, **args)
            complete = complete and len(batch) < limit
            found += batch
        found = p.on_dates(found, "deployed_at", text)
        if deployers:
            found = [d for d in found if d["deployed_by"] in deployers]
        found.sort(key=lambda d: d["deployed_at"], reverse=True)
        if one:  # the newest (of each service named), out of a dated or a deployer's listing too
            newest: dict[str, dict[str, Any]] = {}
            for d in found:
                newest.setdefault(d["service"] if services else "", d)
            found = list(newest.values())
        out["deployments"] = [deployment_fields(d) for d in found]
        version = p.VERSION.findall(text)
        if version:
            match = [d for d in found if d["version"] in version]
            if match:
                d = match[0]
                notes.append(
                    f"{d['id']}: {d['service']} {d['version']} went to {d['environment']} on "
                    f"{d['deployed_at'][:16]} by {d['deployed_by']} ({d['status']})"
                )
        if (period or dated or deployers) and not found:
            # "no production deployments today", not "no deployments today" when a staging
            # one went out: what was looked at, said; for dates named ("web deploys on june
            # 1"), those dates, not a summary that says nothing.
            notes.append(
                f"no {scope_words(services, env)}deployments{by_whom}"
                f"{during or (dates_said(text) if dated else '')}"
            )
        if found:
            notes.append(
                (
                    "the latest deployment" + (" of each service" if len(found) > 1 else "")
                    if one
                    else f"{'recent ' if running else ''}deployments"
                )
                + f"{by_whom}{during}"
                f"{shown(found, complete)}: "
                + ", ".join(listed_deployment(d, by=p.has(text, r"\bwho\b")) for d in found[:SHOWN])
            )
    if named_incidents and not behind:  # (`under` names no incident)
        category = "incident"
        describe_incidents(named_incidents, tools, out, notes)
    elif not (under and typed) and (wants_incidents or p.has(text, r"502|5xx|changed")):
        # Not when answered above from the deployments named ("did DEP-1022 cause an incident,
        # the 502s?" had listed every incident after theirs).
        category = "incident" if wants_incidents else category
        status = "open" if p.has(text, r"\b(open|current|ongoing|status)\b") else None
        # "sev2 incidents in April": of that severity only, out of every incident (the tool
        # has no severity filter: the newest 20 would leave older ones out), and said.
        sev = re.search(SEVERITY, text, re.IGNORECASE)
        severity = f"sev{sev.group(1)}" if sev else None
        found = []
        dated = p.dates_in(text) != (set(), set()) or bool(period)
        complete = True  # no service's listing reached the limit: its count is all there are
        for s in p.each_service(services):
            args = {"service": s, "status": status, **period}
            if dated or severity:  # filtered below: every incident, not the newest 20
                found += every(tools, "list_incidents", **args)
                continue
            batch = tools.call("list_incidents", limit=20, **args)
            complete = complete and len(batch) < 20
            found += batch
        # "the api incidents from June": that month's only, as deployments by date are (all
        # four api incidents left "the resolved one" three to pick from).
        found = p.on_dates(found, "started_at", text)
        if severity:
            found = [i for i in found if i.get("severity") == severity]
        out["incidents"] = found
        notes.append(
            # "the newest 20 incident(s)" when the listing stopped at its cap, never the cap
            # given as the number there are.
            f"{'' if complete else 'the newest '}{len(found)} "
            f"{status + ' ' if status else ''}{severity + ' ' if severity else ''}"
            f"{scope_words(services, None)}incident(s)"
            f"{during}"
            + (
                ": "
                + ", ".join(
                    f"{i['id']} {i['service']} {i['title']} ({i['status']})" for i in found[:SHOWN]
                )
                + shown(found, False)  # the count leads the note
                if found
                else ""
            )  # fmt: skip
        )
    if wants_alerts:
        category = "alerts"
        status = "firing" if p.has(text, r"firing|right now|active|current") else None
        alerts: list[dict[str, Any]] = []
        for s in p.each_service(services):
            alerts += tools.call("list_alerts", service=s, status=status)
        if p.has(text, r"\bcritical\b"):
            alerts = [a for a in alerts if a["severity"] == "critical"]
        out["alerts"] = alerts
        notes.append(
            f"{len(alerts)} {status + ' ' if status else ''}alert(s)"
            + (
                ": " + ", ".join(f"{a['service']} {a['name']} {a['severity']}" for a in alerts[:5])
                if alerts
                else ""
            )  # fmt: skip
        )
    return category
