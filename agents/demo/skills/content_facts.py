"""What a draft may state: the facts the subtasks before it found or did, the live look-ups a
status update or release notes read, and what those show still open."""

from __future__ import annotations

import re
from typing import Any

from ringmaster.agents.demo.skills import parsing as p
from ringmaster.agents.demo.skills.paging import every
from ringmaster.agents.runtime import Handoff
from ringmaster.tools.base import ToolBox
from ringmaster.tools.demo.periods import name as span_name
from ringmaster.tools.errors import ToolError

RESOLVED = r"\b(resolved|is over|(is|are|back) operational|fixed|back to normal)\b"
OPEN = r"\((open|investigating|identified)\)|degraded|outage|is down"


def handed_over(handoffs: tuple[Handoff, ...]) -> tuple[list[str], list[str], list[str]]:
    """Sentences a draft may state, from what the subtasks before this one found or did; their
    sources; and of the sentences, those that are an agent's own report (its summary)."""
    facts: list[str] = []
    sources: list[str] = []
    reported: list[str] = []
    for h in handoffs:
        sources.append(f"{h.agent} ({h.subtask_id})")
        o = h.output or {}
        found: list[str] = []
        # Only what ran is a fact: a proposal (`rollback`, `amount`) may have been edited,
        # rejected or still be waiting, so the executed calls (`effects`) are what is told.
        for effect in o.get("effects") or []:
            r = effect.get("result") if isinstance(effect, dict) else None
            if not isinstance(r, dict):
                continue
            if effect.get("tool") == "rollback_deployment":
                found.append(
                    f"We rolled {r['service']} back from version {r['from_version']} to "
                    f"{r['to_version']} in {r['environment']}."
                )
            elif effect.get("tool") == "issue_refund":
                found.append(f"A refund of {r['amount']} USD on {r['invoice_id']} was issued.")
        for inc in (o.get("incidents") or [])[:2]:
            if isinstance(inc, dict) and inc.get("title"):
                found.append(f"Incident {inc.get('id', '')}: {inc['title']} ({inc.get('status')}).")
        # Without structured facts, the handed-over summary is the fact to build on.
        if not found:
            reported.append(h.summary.rstrip(".") + ".")
        facts += found or reported[-1:]
    return facts, sources, reported


def live_facts(text: str, kind: str, tools: ToolBox) -> tuple[list[str], list[str]]:
    """What the tools say now of the services the text names: the deployments release notes
    are of, else the services' health and open incidents; with the tools read."""
    facts: list[str] = []
    services = p.services(text)
    try:
        if kind == "release_notes":
            versions = p.VERSION.findall(text)
            # "release notes for this month's web deploys": that period's, as ops lists them.
            period = p.period_in(text)
            for s in p.each_service(services):
                args = {"service": s, "environment": "production", **period}
                # A version or a period named is looked for in every deployment, not the newest
                # 10 (the tool's default); with neither, the newest are the latest releases.
                listed = (
                    every(tools, "list_deployments", **args)
                    if versions or period
                    else tools.call("list_deployments", **args)
                )
                # A failed deployment never ran; a rolled-back one did, and is told as such.
                shipped = [
                    d
                    for d in listed
                    if (not versions or d["version"] in versions) and d["status"] != "failed"
                ]
                if shipped:
                    facts += _releases(tools, shipped)
            if len(facts) > _RELEASES:
                # The list is cut where the reader sees it, not cut silently.
                facts = facts[:_RELEASES] + ["Earlier releases are not listed here."]
            # Read, it is the source even when it holds no release: that is what it showed.
            return facts, ["list_deployments"]
        for s in p.each_service(services):
            for h in tools.call("service_health", service=s):
                if h["status"] != "operational":
                    facts.append(f"{h['service']} is {h['status']}.")
                    facts += [
                        f"Incident {i['id']}: {i['title']} (open)." for i in h["open_incidents"][:1]
                    ]
    except ToolError:
        return [], []
    return facts, ["service_health"] if facts else []


# Release notes list this many releases.
_RELEASES = 5


def nothing_shipped(text: str) -> str:
    """What release notes asked by `text` found when no production deployment of it ran: the
    version named never went out, or nothing went out in the period named."""
    versions, period = p.VERSION.findall(text), p.period_in(text)
    services = " and ".join(p.services(text))
    when = ""
    if period:
        named = span_name(**period)
        when = (
            f" {named}" if "since" in period or named in ("today", "yesterday") else f" in {named}"
        )
    if versions:
        which = " or ".join(f"{services} {v}".strip() for v in versions)
        return f"{which} {'did not go out' if when else 'never went out'} to production{when}"
    return f"no {services + ' ' if services else ''}release went out to production{when}"


def _releases(tools: ToolBox, shipped: list[dict[str, Any]]) -> list[str]:
    """Each of the `shipped` production deployments as what is true of it now: the
    newest that ran is live since its day; an older one went out on its day and was replaced
    by the next that ran, or rolled back ("is live since" had been said of versions long
    replaced; a rolled-back release had been left out, and the rollback told as a release)."""
    after: dict[str, dict[str, Any]] = {}
    before: dict[str, dict[str, Any]] = {}
    # Each service's own (release notes of every service had told the others' releases as
    # the first one's: "api 4.3.0" of web's 4.3.0).
    for service in dict.fromkeys(d["service"] for d in shipped):
        # Every deployment that ran, newest first: each was running until the next one
        # replaced it (a rollback marks the one it replaced rolled_back and runs as a
        # deployment of its own).
        ran = [
            d
            for d in every(tools, "list_deployments", service=service, environment="production")
            if d["status"] != "failed"
        ]
        after |= {d["id"]: ran[i - 1] for i, d in enumerate(ran) if i}
        before |= {d["id"]: ran[i + 1] for i, d in enumerate(ran[:-1])}
    listed = {d["id"] for d in shipped}
    lines = []
    for d in shipped:
        service, day, version = d["service"], d["deployed_at"][:10], d["version"]
        next_ = after.get(d["id"])
        rollback = d.get("kind") == "rollback"
        if rollback and (replaced := before.get(d["id"])) and replaced["id"] in listed:
            continue  # the line of the deployment it rolled back says so
        if rollback:
            said = f"{service} was rolled back from {d['previous_version']} to {version} on {day}"
        else:
            said = f"{service} {version} went out on {day}"
        if next_ is None:
            live = (
                f"{said}; {version} is live again"
                if rollback
                else f"{service} {version} is live since {day}"
            )
            lines.append(live + ".")
            continue
        next_day = next_["deployed_at"][:10]
        if next_.get("kind") == "rollback":
            # Rolled back to a version that ran before: live again, unless replaced since.
            live = "" if next_["id"] in after else f"; {next_['version']} is live again"
            lines.append(f"{said} and was rolled back to {next_['version']} on {next_day}{live}.")
        else:
            lines.append(f"{said}; {next_['version']} replaced it on {next_day}.")
    return lines


def still_open(facts: list[str]) -> str:
    """What the facts show still open, as the note to the requester says it."""
    incidents = [
        m.group(1)
        for f in facts
        if (m := re.match(r"Incident (INC-\d+):.*\((?:open|investigating|identified)\)", f))
    ]
    if incidents:
        return f"{', '.join(incidents)} {'is' if len(incidents) == 1 else 'are'} still open"
    unwell = [f.rstrip(".") for f in facts if p.has(f, OPEN)]
    return "; ".join(unwell) if unwell else "the live facts do not show it resolved"
