"""The ops skill: service health, deployments, rollbacks, incidents and alerts. This module reads
which one a request asks for (a rollback, a new incident, work with no tool, or a look-up)."""

from __future__ import annotations

import re
from typing import Any

from ringmaster.agents.demo.skills import parsing as p
from ringmaster.agents.demo.skills.language import asked_back, cannot_read
from ringmaster.agents.demo.skills.ops_incidents import INCIDENT_OPENED, SEVERITY, new_incident
from ringmaster.agents.demo.skills.ops_look import look
from ringmaster.agents.demo.skills.ops_rollbacks import ROLLBACK, rollback, rollback_not_asked
from ringmaster.agents.runtime import AgentOutput, AgentTask
from ringmaster.tools.base import ToolBox

_INCIDENT_NEW = rf"{INCIDENT_OPENED}|{SEVERITY}"
# "open" as the state of incidents that exist ("is there an open incident on api?", "any
# open incidents?", "the still open sev2 incident"), taken out before the verb is looked for:
# the question had opened a new incident.
_OPEN_STATE = re.compile(
    r"\b(?:an?|the|any|no|all|other|those|these|that|this|still|currently|only)\s+open\s+"
    r"(?=(?:\w+\s+){0,2}(?:incidents?|incs?)\b)",
    re.IGNORECASE,
)
# Incidents asked about ("were there any sev2 incidents in April?", "sev2 incs in june?"):
# with no verb that opens one, a severity says which incidents to list, not one to open.
_ASKED_ABOUT = (
    r"\b(?:incidents|incs)\b|^\W*(?:@\w+\W+)?(?:were|was|are|is|did|do|does|have|has|had|any|how)\b"
)
# Ops work the skill has no tool for, asked for as a clause's verb ("restart the api", "can
# you deploy auth 4.4.0", "…, then close INC-1021"); each with the word for it done. A look-up
# in its place ended `done` with a health or deployment line, as if it had been done.
_NO_TOOL = p.NoTool({
    "restart": "restarted", "reboot": "rebooted", "bounce": "bounced",
    "redeploy": "redeployed", "deploy": "deployed", "release": "released", "ship": "shipped",
    "promote": "promoted", "scale": "scaled", "resize": "resized", "resolve": "resolved",
    "close": "closed", "silence": "silenced", "mute": "muted", "snooze": "snoozed",
    "acknowledge": "acknowledged", "ack": "acknowledged", "flush": "flushed",
    "purge": "purged", "clear": "cleared", "kill": "killed", "stop": "stopped",
    "start": "started", "shut down": "shut down", "disable": "disabled", "enable": "enabled",
    "upgrade": "upgraded", "rotate": "rotated", "patch": "patched", "hotfix": "hotfixed",
    "roll forward": "rolled forward", "roll out": "rolled out", "turn off": "turned off",
    "turn on": "turned on", "switch off": "switched off", "switch on": "switched on",
    "pause": "paused", "resume": "resumed", "spin up": "spun up", "spin down": "spun down",
    "fail over": "failed over", "failover": "failed over", "drain": "drained",
    "provision": "provisioned",
}, nouns=r"status|history|logs?|list|notes|times?|window|schedule|pipeline|queue|of",
asked_as={
    "restart": "restart", "restarting": "restart", "reboot": "reboot", "rebooting": "reboot",
    "bounce": "bounce", "bouncing": "bounce", "redeploy": "redeploy",
    "redeployment": "redeploy", "redeploying": "redeploy", "deploy": "deploy",
    "deployment": "deploy", "deploying": "deploy", "release": "release",
    "releasing": "release", "upgrade": "upgrade", "upgrading": "upgrade",
    "scaling": "scale", "resize": "resize", "resizing": "resize", "flush": "flush",
    "flushing": "flush", "purge": "purge", "purging": "purge", "shutdown": "shut down",
})  # fmt: skip


def ops(task: AgentTask, tools: ToolBox) -> AgentOutput:
    """Handle one ops subtask; rollbacks and new incidents are proposed, never made here."""
    text = task.description
    services = p.services(text)
    env = p.environment(text)
    out: dict[str, Any] = {
        "summary": "",
        "services": list(services),
        "environment": env,
        "deployments": [],
        "incidents": [],
    }
    notes: list[str] = []
    # Another language, or a repeat it cannot see: asked, not answered with a look at every service
    if (question := cannot_read(text)) is not None:
        return asked_back(out, task, "health", question)
    if (not_asked := rollback_not_asked(text)) == "refused":
        category = "rollback"
        p.ask(out, notes, "nothing was rolled back and no rollback is proposed: the request says "
              "not to roll back. What should ops do instead: look up health, deployments or "
              "incidents?")  # fmt: skip
    elif p.has(text, ROLLBACK) and not_asked is None:
        category = rollback(task, tools, services, env, out, notes)
    elif (
        p.has(asks_open := _OPEN_STATE.sub(" ", text), _INCIDENT_NEW)
        and not p.has(text, r"\b(show|list|which|what|status)\b")
        and (p.has(asks_open, INCIDENT_OPENED) or not p.has(text, _ASKED_ABOUT))
    ):
        category = new_incident(text, tools, services, out, notes)
    elif (verb := _NO_TOOL.verb(text)) is not None:
        category = "health"
        _NO_TOOL.ask(out, notes, "ops", verb, "look up health, deployments, incidents and "
                     "alerts, roll a deployment back and open an incident", "look up")  # fmt: skip
    else:
        category = look(text, tools, services, env, out, notes)
    if not notes:
        # Nothing read answers the request: asked, never a `done` that says nothing.
        p.ask(out, notes, "nothing could be read for this request. Which service, "
              "environment and day should I look at?")  # fmt: skip
    out["summary"] = p.summary(notes, task.feedback)
    return AgentOutput(output=out, category=category)
