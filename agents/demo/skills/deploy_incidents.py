"""The incidents a deployment named by id was running for ("did DEP-1022 cause an incident?"):
those that began while it ran in its environment, by the rule that ties an incident to the
deployment behind it (`current_versions` at the incident's start). A list of every incident
of every service answered nothing about the deployment asked."""

from __future__ import annotations

from typing import Any

from ringmaster.agents.demo.skills.paging import every
from ringmaster.tools.base import ToolBox


def incidents_under(
    deployments: list[dict[str, Any]], tools: ToolBox, out: dict[str, Any], notes: list[str]
) -> None:
    """Put in `out` the incidents each of `deployments` was running when they began, and a
    note for each deployment: those incidents, or that none began while it ran."""
    found: list[dict[str, Any]] = []
    for d in deployments:
        env = d["environment"]
        # Those that began in its window only, every one of them (the newest 500 of the
        # service's had left out one older than them that began while it ran).
        window = {"from_time": d["deployed_at"], **_until(tools, d)}
        began = [
            i
            for i in reversed(every(tools, "list_incidents", service=d["service"], **window))
            if _running(tools, d["service"], env, i["started_at"]) == d["id"]
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


def _until(tools: ToolBox, deployment: dict[str, Any]) -> dict[str, str]:
    """{"to_time": when the next deployment that succeeded in its service and environment went
    out}, the end of the window `deployment` ran in (at that moment still: `current_versions`
    takes what was deployed before it); {} when none has."""
    later = [
        d["deployed_at"]
        for d in every(
            tools,
            "list_deployments",
            service=deployment["service"],
            environment=deployment["environment"],
            from_time=deployment["deployed_at"],
        )
        if d["status"] == "succeeded" and d["deployed_at"] > deployment["deployed_at"]
    ]
    return {"to_time": min(later)} if later else {}


def _running(tools: ToolBox, service: str, environment: str, at: str) -> str | None:
    """The id of the deployment of `service` that ran in `environment` at `at`."""
    [running] = tools.call("current_versions", service=service, environment=environment, at=at)
    return running["deployment_id"]
