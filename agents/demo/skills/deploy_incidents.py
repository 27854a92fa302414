"""The incidents a deployment named by id was running for ("did DEP-1022 cause an incident?"):
those that began while it ran in its environment, by the rule that ties an incident to the
deployment behind it (`current_versions` at the incident's start). A list of every incident
of every service answered nothing about the deployment asked."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from ringmaster.tools.base import ToolBox


def incidents_under(
    deployments: list[dict[str, Any]], tools: ToolBox, out: dict[str, Any], notes: list[str]
) -> None:
    """Put in `out` the incidents each of `deployments` was running when they began, and a
    note for each deployment: those incidents, or that none began while it ran."""
    found: list[dict[str, Any]] = []
    for d in deployments:
        env = d["environment"]
        out_at = datetime.fromisoformat(d["deployed_at"])
        began = [
            i
            for i in reversed(tools.call("list_incidents", service=d["service"], limit=500))
            if datetime.fromisoformat(i["started_at"]) >= out_at
            and _running(tools, d["service"], env, i["started_at"]) == d["id"]
        ]
        found += began
        what = f"{d['id']} ({d['service']} {d['version']} to {env}, {d['status']})"
        if d["status"] == "failed":  # it never ran, so no incident began under it
            notes.append(f"{what} failed and never ran: no incident began while it was running")
        elif began:
            listed = ", ".join(f"{i['id']} {i['title']} ({i['status']})" for i in began)
            notes.append(f"{what} was running when {listed} began")
        else:
            notes.append(f"no {d['service']} incident began while {what} was running in {env}")
    out["incidents"] = found


def _running(tools: ToolBox, service: str, environment: str, at: str) -> str | None:
    """The id of the deployment of `service` that ran in `environment` at `at`."""
    [running] = tools.call("current_versions", service=service, environment=environment, at=at)
    return running["deployment_id"]
