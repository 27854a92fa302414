"""Incidents in the ops skill: those named by id, a new one proposed, and the deployment each
named began under."""

from __future__ import annotations

import re
from typing import Any

from ringmaster.agents.demo.skills import parsing as p
from ringmaster.agents.demo.skills.ops_records import INCIDENT_ID, get_incidents
from ringmaster.tools.base import ToolBox

INCIDENT_OPENED = r"\b(open|create|raise|declare|log|file|start)\b.*\bincident\b"
SEVERITY = r"\bsev ?([1-4])\b"


def reason_given(text: str) -> str | None:
    """What `text` gives after a comma, "because", "since" or a colon: a new incident's title,
    a rollback's reason."""
    m = re.search(r"(?:,|because|since|:)\s*(.+)$", text)
    return p.short(m.group(1).strip().rstrip("."), 120) if m else None


def describe_incidents(
    named: list[str], tools: ToolBox, out: dict[str, Any], notes: list[str]
) -> None:
    """The incidents named by id, each with its service, severity, status, times and what it
    is; an id the database does not know, said."""
    out["incidents"] = get_incidents(tools, named)
    for i in out["incidents"]:
        ended = f", resolved {i['resolved_at'][:16]}" if i.get("resolved_at") else ""
        about = i["description"]
        if not about.startswith(i["title"]):
            about = f"{i['title']}. {about}"
        notes.append(
            f"{i['id']} ({i['service']}, {i['severity']}, {i['status']}; started "
            f"{i['started_at'][:16]}{ended}): {about}"
        )
    found = {i["id"] for i in out["incidents"]}
    if missing := [i for i in named if i not in found]:
        p.ask(out, notes, f"no incident {' or '.join(missing)} was found. Which incident do "
              "you mean?")  # fmt: skip


def new_incident(
    text: str, tools: ToolBox, services: list[str], out: dict[str, Any], notes: list[str]
) -> str:
    if not services:
        notes.append("an incident needs a service (api, web, billing-service, auth); none named")
        return "incident"
    # A service called by its name wins over one a word only suggests: "open a sev2 incident
    # for web: login page slow" had opened it on auth. Two for one incident are asked about.
    services = p.named_services(text, services) or services
    if len(services) > 1:
        p.ask(out, notes, f"no incident was opened: which service is it on, "
              f"{' or '.join(services)}?")  # fmt: skip
        return "incident"
    service = services[0]
    out["services"] = [service]
    m = re.search(SEVERITY, text, re.IGNORECASE)
    if m:
        severity = f"sev{m.group(1)}"
    elif p.has(text, r"\b(down|outage|everyone|all customers)\b"):
        severity = "sev1"
    elif p.has(text, r"\b(failing|errors?|broken)\b"):
        severity = "sev2"
    else:
        severity = "sev3"
    title = p.redact(
        p.short(p.after_colon(text) or reason_given(text) or f"{service} problem", 150)
    )
    title = title[0].upper() + title[1:]
    # The incident's own `description` argument is left to its default (the title): the
    # name is taken by ToolBox.propose's description of the proposal.
    tools.propose(
        "create_incident",
        description=f"Open a {severity} incident on {service}: {title}",
        service=service,
        title=title,
        severity=severity,
    )
    health = tools.call("service_health", service=service)
    out["health"] = health
    notes.append(
        f"proposed a {severity} incident on {service}: {title}; {service} is currently "
        f"{health[0]['status']}"
    )
    return "incident"


def behind_incidents(
    text: str, tools: ToolBox, out: dict[str, Any], notes: list[str]
) -> list[dict[str, Any]]:
    """The deployment behind each incident the request names by id ("which deploy caused
    INC-1012?", "what shipped right before INC-1012"): the production deployment of the
    incident's service that was running when the incident began (`current_versions` at its
    start: the rule the thread's lookup ties an incident to its deployment by). A list of every
    service's deployments answered none of them, and left "roll that deploy back" ten to pick
    from."""
    named = p.ids(INCIDENT_ID, text)
    if not named:
        return []
    incidents = get_incidents(tools, named)
    behind: list[dict[str, Any]] = []
    for incident in incidents:
        [running] = tools.call(
            "current_versions",
            service=incident["service"],
            environment="production",
            at=incident["started_at"],
        )
        if running["deployment_id"] is None:
            continue
        d = tools.call("get_deployment", deployment_id=running["deployment_id"])
        behind.append(d)
        notes.append(
            f"{d['service']} {d['version']} ({d['id']}, deployed to production on "
            f"{d['deployed_at'][:16]} by {d['deployed_by']}) was running when {incident['id']} "
            f"({incident['service']}) began at {incident['started_at'][:16]}"
        )
    out["incidents"] = out["incidents"] or incidents
    return behind
