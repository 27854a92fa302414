"""Ops records named by id (deployments, incidents), and the words a listing names them by."""

from __future__ import annotations

import re
from typing import Any

from ringmaster.agents.demo.skills import parsing as p
from ringmaster.tools.base import ToolBox
from ringmaster.tools.errors import ToolError

DEPLOYMENT_ID = re.compile(r"\bDEP-\d+\b", re.I)
INCIDENT_ID = re.compile(r"\bINC-\d+\b", re.I)


def deployment_fields(d: dict[str, Any]) -> dict[str, Any]:
    """A deployment as an answer keeps it."""
    keys = ("id", "service", "version", "previous_version", "environment", "status", "deployed_at")
    return {k: d[k] for k in keys}


def get_deployment(tools: ToolBox, deployment_id: str) -> dict[str, Any] | None:
    """The deployment of that id, or None when there is none."""
    try:
        found = tools.call("get_deployment", deployment_id=deployment_id)
    except ToolError:
        return None
    return found if isinstance(found, dict) else None


def named_deployment(text: str, tools: ToolBox) -> dict[str, Any] | None:
    """The one deployment the text names by id, as the database has it; None for none, several
    or an id it does not know."""
    named = p.ids(DEPLOYMENT_ID, text)
    return get_deployment(tools, named[0]) if len(named) == 1 else None


def get_incidents(tools: ToolBox, named: list[str]) -> list[dict[str, Any]]:
    """The incidents of those ids the database has, in the order named (each looked up by id:
    a scan of the newest few had said one older than them was not found)."""
    found = []
    for incident_id in named:
        try:
            found.append(tools.call("get_incident", incident_id=incident_id))
        except ToolError:
            continue
    return found


# Rows a listing's note names; the rest are in its output.
SHOWN = 5


def listed_deployment(d: dict[str, Any], by: bool = False, always_status: bool = False) -> str:
    """A deployment in a listing: service, version, environment and day, who made it when
    asked, then its id (so that a person can name it back: "roll back DEP-1032") with its
    status unless it succeeded."""
    status = "" if d["status"] == "succeeded" and not always_status else f", {d['status']}"
    return (
        f"{d['service']} {d['version']} {d['environment']} {d['deployed_at'][:10]}"
        + (f" by {d['deployed_by']}" if by else "")
        + f" ({d['id']}{status})"
    )


def scope_words(services: list[str], env: str | None) -> str:
    """The services and environment a listing was narrowed to, as words before its noun."""
    words = [" and ".join(services)] if services else []
    return "".join(f"{w} " for w in [*words, env] if w)


def shown(rows: list[dict[str, Any]], complete: bool) -> str:
    """ " (the newest 5 of 9)" when a note names only some of a listing's rows; without the
    count when the listing itself was cut at a limit (" (the newest 5)"), so as not to give
    the limit as the number there are."""
    if len(rows) <= SHOWN:
        return ""
    return f" (the newest {SHOWN}{f' of {len(rows)}' if complete else ''})"
