"""The ops skill: service health, deployments, rollbacks, incidents and alerts."""

from __future__ import annotations

import calendar
import re
from datetime import datetime
from typing import Any

from ringmaster.agents.demo.skills import parsing as p
from ringmaster.agents.demo.skills.deploy_incidents import incidents_under
from ringmaster.agents.demo.skills.language import asked_back, cannot_read
from ringmaster.agents.demo.skills.paging import every
from ringmaster.agents.runtime import AgentOutput, AgentTask
from ringmaster.tools.base import ToolBox
from ringmaster.tools.demo.periods import name as span_name
from ringmaster.tools.errors import ToolError

# "back out" and "pull back" are rollbacks too ("back out the web deploy", "pull DEP-1028 back"),
# as the reference resolver reads them (`implied._SAYS_TOO`); their object between the two
# words is a pronoun or an id only ("come back later and check out …" is no rollback).
_BETWEEN = r"\s+(?:it|that|this|them|[a-z]+-\d+)\s+"
_ROLLBACK = (
    r"\b(roll(?:ing)?[- ]?back|revert|undo|downgrade|back(?:ing)?[- ]out|pull(?:ing)?[- ]back)\b"
    rf"|\broll\b(\s+\S+){{1,3}}\s+back\b|\bback{_BETWEEN}out\b|\bpull{_BETWEEN}back\b"
)
_INCIDENT_OPENED = r"\b(open|create|raise|declare|log|file|start)\b.*\bincident\b"
_SEVERITY = r"\bsev ?([1-4])\b"
_INCIDENT_NEW = rf"{_INCIDENT_OPENED}|{_SEVERITY}"
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
_DEPLOYMENT_ID = re.compile(r"\bDEP-\d+\b", re.I)
_INCIDENT_ID = re.compile(r"\bINC-\d+\b", re.I)
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
# "what version of web was running in production on June 1?", "which version of api was in
# prod last month?": the one version a day or period asks of (`_version_asked_at`).
_ONE_VERSION = r"\b(?:what|which)\s+version\b(?!s)"
# "the latest api deploy in production", "when was web's last release": the one newest
# deployment (of each service named), not the newest few ("the last deploys", "last 3 deploys").
_ONE_LATEST = (
    r"\b(?:latest|last|newest|most\s+recent)\s+(?:(?!\d)[\w.-]+\s+){0,3}?"
    r"(?:deploy(?:ment)?|release|rollout)\b(?!-)"
)
_INCIDENTS = r"\bincidents?\b|\bincs\b"
_ALERTS = r"\balerts?\b|\bfiring\b"
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
_HEALTH = (
    r"health|healthy|degraded|status|uptime|latency|error|502|5xx|\bdown\b|check|outage|slow|"
    r"\bup\b|working|broken|services?\b|systems?\b|\bops\b|timing out|time-?outs?|going on|"
    r"\b(?:INC|DEP|ALR?)-\d+"
)


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
    if (not_asked := _rollback_not_asked(text)) == "refused":
        category = "rollback"
        p.ask(out, notes, "nothing was rolled back and no rollback is proposed: the request says "
              "not to roll back. What should ops do instead: look up health, deployments or "
              "incidents?")  # fmt: skip
    elif p.has(text, _ROLLBACK) and not_asked is None:
        category = _rollback(task, tools, services, env, out, notes)
    elif (
        p.has(asks_open := _OPEN_STATE.sub(" ", text), _INCIDENT_NEW)
        and not p.has(text, r"\b(show|list|which|what|status)\b")
        and (p.has(asks_open, _INCIDENT_OPENED) or not p.has(text, _ASKED_ABOUT))
    ):
        category = _new_incident(text, tools, services, out, notes)
    elif (verb := _NO_TOOL.verb(text)) is not None:
        category = "health"
        _NO_TOOL.ask(out, notes, "ops", verb, "look up health, deployments, incidents and "
                     "alerts, roll a deployment back and open an incident", "look up")  # fmt: skip
    else:
        category = _look(text, tools, services, env, out, notes)
    if not notes:
        # Nothing read answers the request: asked, never a `done` that says nothing.
        p.ask(out, notes, "nothing could be read for this request. Which service, "
              "environment and day should I look at?")  # fmt: skip
    out["summary"] = p.summary(notes, task.feedback)
    return AgentOutput(output=out, category=category)


# A rollback the words name but do not ask for: refused ("don't roll back the api", "never
# roll back auth without asking me") or asked about ("why did we roll back the api?", "is it
# safe to roll back auth?"). Each proposed a production rollback for a person to approve,
# whose review said only "rollback of api in production".
# The negation stands right before the rollback (an article or "to" between at most): "don't
# forget to roll back the api" and "the deploy did not work so roll back the api" ask for one.
_ROLLBACK_REFUSED = re.compile(
    r"\b(?:don'?t|do\s+not|never|not|no\s+need\s+to|without|stop|avoid|cancel|call\s+off|"
    r"hold\s+off\s+on|skip)\s+(?:(?:to|the|a|any)\s+)?"
    rf"(?:{_ROLLBACK})",
    re.IGNORECASE,
)
_ROLLBACK_QUESTION = re.compile(
    r"^(?:why|when|who|how|what|which|whether|did|does|do\s+we|was|were|has|have|had|is|are|"
    r"should|would|could\s+(?:it|that|this|we))\b",
    re.IGNORECASE,
)


def _rollback_verdicts(text: str) -> list[tuple[str, str | None]]:
    """Each sentence that names a rollback, with "refused", "asked about" or None (asks)."""
    verdicts: list[tuple[str, str | None]] = []
    for sentence in re.split(r"(?<=[.;!?])\s+|\n+", text):
        if not p.has(sentence, _ROLLBACK):
            continue
        if _ROLLBACK_REFUSED.search(sentence):
            verdicts.append((sentence, "refused"))
        elif _ROLLBACK_QUESTION.match(sentence.strip()):
            verdicts.append((sentence, "asked about"))
        else:
            verdicts.append((sentence, None))
    return verdicts


def _rollback_not_asked(text: str) -> str | None:
    """ "refused" or "asked about" when the words name a rollback without asking for one (the
    first sentence that names one says which); None when a sentence asks for one ("Don't roll
    back web. Roll back the api." asks for the api's), or none names one."""
    verdicts = [verdict for _, verdict in _rollback_verdicts(text)]
    if not verdicts or None in verdicts:
        return None
    return verdicts[0]


def _rollback_targets(text: str, services: list[str]) -> list[str]:
    """The services `text` names for a rollback, in the order it names them, without those it
    excludes: "roll back the api, not web" rolled web back (the first in `SERVICE_WORDS`'s
    order, not the words'), and "Don't roll back web. Roll back the api." did too."""
    low = text.lower()

    def first(service: str) -> int:
        found = re.search(p.SERVICE_WORDS[service], low)
        return found.start() if found else len(low)

    def named(service: str, sentences: list[str]) -> bool:
        return any(re.search(p.SERVICE_WORDS[service], s.lower()) for s in sentences)

    verdicts = _rollback_verdicts(text)
    refused = [s for s, verdict in verdicts if verdict == "refused"]
    asking = [s for s, verdict in verdicts if verdict is None]
    kept = [
        s
        for s in services
        if not re.search(rf"\b(?:not|except)\s+(?:the\s+)?(?:{p.SERVICE_WORDS[s]})", low)
        and not (named(s, refused) and not named(s, asking))
    ]
    return sorted(kept, key=first)


def _listed(text: str, services: list[str]) -> list[str]:
    """Of `services` (in the order `text` names them), those a rollback is asked of: the
    first, and those listed with it ("api and web", "api, web & auth") or said too ("web as
    well", "also roll back web"); "roll back the api in production, auth is fine" names auth
    and asks it of api. A "too" is the service's it follows: "roll back api too, web is fine"
    had rolled web back as well."""
    kept = services[:1]
    for service in services[1:]:
        name = rf"(?:{p.SERVICE_NAMES[service]})"
        joined = (
            rf"(?:{p.SERVICE_NAMES[kept[-1]]})(?:\s+(?:service|deploy\w*))?\s*"
            rf"(?:,|&|\+|\band\b|\bplus\b)\s*(?:the\s+)?{name}"
            r"(?!\s+(?:is|are|was|looks|seems|stays)\b)"  # "api, web is fine": not listed
        )
        too = (
            rf"{name}(?:\s+(?:service|deploy\w*))?,?\s+(?:too|also|as well)\b"
            rf"|\balso\s+(?:roll\s+back\s+|revert\s+)?(?:the\s+)?{name}"
        )
        if p.has(text, joined) or p.has(text, too):
            kept.append(service)
    return kept


def _dep(d: dict[str, Any]) -> dict[str, Any]:
    keys = ("id", "service", "version", "previous_version", "environment", "status", "deployed_at")
    return {k: d[k] for k in keys}


def _rollback(
    task: AgentTask,
    tools: ToolBox,
    services: list[str],
    env: str | None,
    out: dict[str, Any],
    notes: list[str],
) -> str:
    text = task.description
    excluded = set(services) - set(targets := _rollback_targets(text, services))
    # A service called by its name wins over one a word only suggests: "the login page is
    # broken, roll back web" had rolled auth back.
    by_name = _listed(text, p.named_services(text, targets))
    services = by_name or targets
    # "roll back DEP-1028": that deployment's service and environment, and only if it is what
    # runs there now (a rollback undoes the running deployment, never an older one).
    deployment = _named_deployment(text, tools)
    typed_ids = p.ids(_DEPLOYMENT_ID, text)
    if deployment is None and len(typed_ids) == 1:
        # "Roll DEP-1303 back" where no DEP-1303 exists: never a rollback of whatever else the
        # words or the services' health suggest.
        p.ask(out, notes, f"{typed_ids[0]} is no deployment I can find; no rollback proposed. "
              "Which deployment do you mean?")  # fmt: skip
        return "rollback"
    if deployment is not None and not by_name:
        # "roll back DEP-1028, the login page is broken": web's deployment, not auth's.
        services = [deployment["service"]]
        env = env or deployment["environment"]
    if deployment is None and not services and (versions := p.VERSION.findall(text)):
        # "roll back 4.3.0": the deployments that shipped that version, never the unhealthy
        # service (api production had been proposed "back to 4.3.0", auth's version).
        shipped = _shipped(tools, versions, None, env)
        where = sorted({(d["service"], d["environment"]) for d in shipped})
        if len(where) != 1:
            p.ask(out, notes, _which_shipped(versions[0], shipped))
            return "rollback"
        service, env = where[0]
        services = [service]
    if env is None:
        env = "production"  # what people mean by "the deploy"; it also needs approval
        notes.append("no environment was named, so production is assumed")
        out.setdefault("evidence", {"checks": [], "concerns": [], "questions": []})[
            "questions"
        ].append("no environment was named: is production the one to roll back?")
    if not services:
        unhealthy = [  # never one the words exclude ("roll back production, not web")
            h
            for h in tools.call("service_health")
            if h["status"] != "operational" and h["service"] not in excluded
        ]
        if not unhealthy:
            but = f"other than {', '.join(sorted(excluded))} " if excluded else ""
            notes.append(f"no service was named and none {but}is unhealthy; no rollback proposed")
            out["environment"] = env
            return "rollback"
        services = [unhealthy[0]["service"]]
        notes.append(f"no service was named; {services[0]} is {unhealthy[0]['status']}")
        out.setdefault("evidence", {"checks": [], "concerns": [], "questions": []})[
            "questions"
        ].append(f"no service was named: is {services[0]} the one to roll back?")
    # "roll back api and web": one rollback each, never the first alone with the rest left
    # unsaid (web had been left running with nothing said of it).
    out.update(services=list(services), environment=env, deployments=[], incidents=[])
    for service in services:
        named = deployment if deployment is not None and deployment["service"] == service else None
        _roll_back_one(text, tools, service, env, named, out, notes)
    return "rollback"


def _roll_back_one(
    text: str,
    tools: ToolBox,
    service: str,
    env: str,
    deployment: dict[str, Any] | None,
    out: dict[str, Any],
    notes: list[str],
) -> None:
    """Propose rolling `service` back in `env` (from `deployment` when one is named), or say
    why not; each proposal is added to `out["rollbacks"]` (`out["rollback"]` when it is the
    only one)."""
    history = tools.call("list_deployments", service=service, environment=env, limit=10)
    out["deployments"] += [_dep(d) for d in history[:3]]
    current = next((d for d in history if d["status"] == "succeeded"), None)
    if current is None:
        notes.append(f"{service} has no running deployment in {env}; nothing to roll back")
        return
    if deployment is not None and deployment["id"] != current["id"]:
        p.ask(out, notes, f"{deployment['id']} is not what runs in {service} {env} now "
              f"({current['id']}, {current['version']} is); no rollback proposed. Roll back "
              f"{current['id']}?")  # fmt: skip
        return
    incidents = tools.call("list_incidents", service=service, status="open")
    out["incidents"] += incidents
    # A version an open incident names is suspect: never a rollback's target.
    suspect = {
        v for i in incidents for v in p.VERSION.findall(f"{i['title']} {i.get('description')}")
    }
    # A version the service was rolled back away from (or that failed) is no target either:
    # without this, two rollbacks in a row flip a service between two versions.
    abandoned = {d["version"] for d in history if d["status"] in ("rolled_back", "failed")}
    asked = [v for v in p.VERSION.findall(text) if v != current["version"]]
    evidence = out.setdefault("evidence", {"checks": [], "concerns": [], "questions": []})
    if asked and not _shipped(tools, asked[:1], service, env):
        p.ask(out, notes, f"{service} never ran {asked[0]} in {env}, so there is nothing to "
              f"roll back to; no rollback proposed. Which deployment do you mean?")  # fmt: skip
        return
    if asked and asked[0] in suspect:
        why = next(i for i in incidents if asked[0] in f"{i['title']} {i.get('description')}")
        notes.append(
            f"{asked[0]} is named in open incident {why['id']} ({why['title']}); no rollback "
            f"to it proposed: {service} stays on {current['version']}"
        )
        return
    earlier = [
        d["version"]
        for d in history
        if d["deployed_at"] < current["deployed_at"] and d["status"] != "failed"
    ]
    choices = [
        v for v in dict.fromkeys(earlier) if v not in suspect | abandoned | {current["version"]}
    ]
    target = asked[0] if asked else next(iter(choices), None)
    if target is None:
        notes.append(
            f"{service} {current['version']} has no earlier version in {env} that is not named "
            "in an open incident or already rolled back; no rollback proposed"
        )
        return
    reason = p.redact(_reason(text) or f"roll back {service} {current['version']} in {env}")
    tools.propose(
        "rollback_deployment",
        description=f"Roll {service} back from {current['version']} to {target} in {env}",
        service=service,
        environment=env,
        to_version=target,
        from_version=current["version"],
        reason=reason,
    )
    out.setdefault("rollbacks", []).append(
        {
            "service": service,
            "environment": env,
            "from_version": current["version"],
            "to_version": target,
            "deployment_id": current["id"],
        }
    )
    if len(out["rollbacks"]) == 1:
        out["rollback"] = out["rollbacks"][0]
    else:
        out.pop("rollback", None)
    evidence["checks"].append(
        f"{service} runs {current['version']} in {env} ({current['id']}); {target} ran there "
        "before and no open incident names it"
    )
    named = [i for i in incidents if current["version"] in f"{i['title']} {i.get('description')}"]
    if named:
        evidence["checks"].append(f"open incident {named[0]['id']} names {current['version']}")
    notes.append(
        f"proposed rolling {service} back in {env} from {current['version']} "
        f"({current['id']}, deployed {current['deployed_at'][:16]}) to {target}"
        + (f"; open incident {incidents[0]['id']}: {incidents[0]['title']}" if incidents else "")
        + ("; a production rollback waits for approval" if env == "production" else "")
    )


def _shipped(
    tools: ToolBox, versions: list[str], service: str | None, env: str | None
) -> list[dict[str, Any]]:
    """The releases of `versions` (of `service`, in `env` when given), newest first."""
    found = every(tools, "list_deployments", service=service, environment=env)
    return [d for d in found if d["version"] in versions and d.get("kind") != "rollback"]


def _which_shipped(version: str, shipped: list[dict[str, Any]]) -> str:
    """The question a rollback of a version asks when no one deployment ran it."""
    if not shipped:
        return f"no deployment shipped {version}; no rollback proposed. Which one do you mean?"
    runs = ", ".join(f"{d['service']} {d['environment']} ({d['id']})" for d in shipped)
    return f"{version} was deployed to {runs}; no rollback proposed. Which one do you mean?"


def _named_deployment(text: str, tools: ToolBox) -> dict[str, Any] | None:
    """The one deployment the text names by id, as the database has it; None for none, several
    or an id it does not know."""
    named = p.ids(_DEPLOYMENT_ID, text)
    return _deployment(tools, named[0]) if len(named) == 1 else None


def _behind_incidents(
    text: str, tools: ToolBox, out: dict[str, Any], notes: list[str]
) -> list[dict[str, Any]]:
    """The deployment behind each incident the request names by id ("which deploy caused
    INC-1012?", "what shipped right before INC-1012"): the production deployment of the
    incident's service that was running when the incident began (`current_versions` at its
    start: the rule the thread's lookup ties an incident to its deployment by). A list of every
    service's deployments answered none of them, and left "roll that deploy back" ten to pick
    from."""
    named = p.ids(_INCIDENT_ID, text)
    if not named:
        return []
    incidents = _incidents(tools, named)
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


def _running_now(
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
    named = [d for i in p.ids(_DEPLOYMENT_ID, text) if (d := _deployment(tools, i)) is not None]
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
        scope = _scope(services, env).strip()
        notes.append(
            f"{', '.join(versions)} is not running {f'in {scope}' if scope else 'anywhere'}"
        )


def _version_asked_at(text: str) -> dict[str, str] | None:
    """`current_versions`'s `on` or `period` for a question of the one version that ran on a
    day ("what version of web was running in production on June 1?" is {"on": "06-01"}), in
    a month (its last day) or in a period ("… last month?" is {"period": "last_month"}): the
    newest deployment that succeeded by its end; {} for dates that are not one day, month or
    period ("on the 1st" of no month, "on June 1 and 12"), to ask which. None for any other
    question or a span ("since May"). Answered as a listing, "on June 1" had found none
    deployed that day and said nothing, and "last month" had given the failed 3.8.0 as what
    ran."""
    if not p.has(text, _ONE_VERSION) or _DEPLOYMENT_ID.search(text):
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
    # A period that reaches now ("today", "this month") asks what runs now (`_running_now`).
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


def _went_out(
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


def _dates_said(text: str) -> str:
    """ " in June", " on June 1", " on the 14th or 15th": the dates a request names."""
    months, days = p.dates_in(text)
    month = " or ".join(p.MONTHS[m - 1].title() for m in sorted(months))
    if not days:
        return f" in {month}"
    day = " or ".join(str(d) for d in sorted(days))
    return f" on {month} {day}" if months else f" on day {day} of any month"


def _deployment(tools: ToolBox, deployment_id: str) -> dict[str, Any] | None:
    """The deployment of that id, or None when there is none."""
    try:
        found = tools.call("get_deployment", deployment_id=deployment_id)
    except ToolError:
        return None
    return found if isinstance(found, dict) else None


def _incidents(tools: ToolBox, named: list[str]) -> list[dict[str, Any]]:
    """The incidents of those ids the database has, in the order named (each looked up by id:
    a scan of the newest few had said one older than them was not found)."""
    found = []
    for incident_id in named:
        try:
            found.append(tools.call("get_incident", incident_id=incident_id))
        except ToolError:
            continue
    return found


def _reason(text: str) -> str | None:
    m = re.search(r"(?:,|because|since|:)\s*(.+)$", text)
    return p.short(m.group(1).strip().rstrip("."), 120) if m else None


def _named_incidents(
    named: list[str], tools: ToolBox, out: dict[str, Any], notes: list[str]
) -> None:
    """The incidents named by id, each with its service, severity, status, times and what it
    is; an id the database does not know, said."""
    out["incidents"] = _incidents(tools, named)
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


def _new_incident(
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
    m = re.search(_SEVERITY, text, re.IGNORECASE)
    if m:
        severity = f"sev{m.group(1)}"
    elif p.has(text, r"\b(down|outage|everyone|all customers)\b"):
        severity = "sev1"
    elif p.has(text, r"\b(failing|errors?|broken)\b"):
        severity = "sev2"
    else:
        severity = "sev3"
    title = p.redact(p.short(p.after_colon(text) or _reason(text) or f"{service} problem", 150))
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


def _deployers(text: str, tools: ToolBox) -> set[str]:
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


# Rows a listing's note names; the rest are in its output.
_SHOWN = 5


def _listed_deployment(d: dict[str, Any], by: bool = False, always_status: bool = False) -> str:
    """A deployment in a listing: service, version, environment and day, who made it when
    asked, then its id (so that a person can name it back: "roll back DEP-1032") with its
    status unless it succeeded."""
    status = "" if d["status"] == "succeeded" and not always_status else f", {d['status']}"
    return (
        f"{d['service']} {d['version']} {d['environment']} {d['deployed_at'][:10]}"
        + (f" by {d['deployed_by']}" if by else "")
        + f" ({d['id']}{status})"
    )


def _scope(services: list[str], env: str | None) -> str:
    """The services and environment a listing was narrowed to, as words before its noun."""
    words = [" and ".join(services)] if services else []
    return "".join(f"{w} " for w in [*words, env] if w)


def _shown(rows: list[dict[str, Any]], complete: bool) -> str:
    """ " (the newest 5 of 9)" when a note names only some of a listing's rows; without the
    count when the listing itself was cut at a limit (" (the newest 5)"), so as not to give
    the limit as the number there are."""
    if len(rows) <= _SHOWN:
        return ""
    return f" (the newest {_SHOWN}{f' of {len(rows)}' if complete else ''})"


def _look(
    text: str,
    tools: ToolBox,
    services: list[str],
    env: str | None,
    out: dict[str, Any],
    notes: list[str],
) -> str:
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
    named_incidents = p.ids(_INCIDENT_ID, text)
    if named_incidents:
        asked_health = p.has(_INCIDENT_ID.sub(" ", _INCIDENT_STATE.sub(" ", text)), _HEALTH)
        wants_incidents = wants_incidents or not wants_deploys
    # "did DEP-1022 cause an incident?": the incidents that deployment ran for, no health.
    under = wants_incidents and not named_incidents and _DEPLOYMENT_ID.search(text) is not None
    if under:
        asked_health = p.has(_DEPLOYMENT_ID.sub(" ", text), _HEALTH)
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
    behind = _behind_incidents(text, tools, out, notes) if wants_deploys else None
    if behind:
        category = "deployments"
        out["deployments"] = [_dep(d) for d in behind]
        wants_deploys = False
    elif wants_deploys and (at := _version_asked_at(text)) is not None:
        # The version that ran then, and what went out in the month or period asked, each
        # deployment with its status: a failed one is never given as what ran.
        category = "deployments"
        if not at:
            p.ask(out, notes, "no version was looked up: which one day (with its month, as in "
                  "'June 1'), month or period do you mean?")  # fmt: skip
        else:
            _running_now(text, tools, out, notes, at)
        if at and (went := _went_out(text, tools, services, env, at)):
            notes.append(
                "went out in it: "
                + ", ".join(_listed_deployment(d, always_status=True) for d in went[:_SHOWN])
                + _shown(went, True)
            )
        wants_deploys = False
    elif running:
        category = "deployments"
        _running_now(text, tools, out, notes)
        # Only what runs now when the words say so (or deployments are named by id); else the
        # listing below too, and its deployments are the ones kept for follow-ups.
        wants_deploys = not (
            _DEPLOYMENT_ID.search(text) or (p.has(text, _RUNS_NOW) and not p.has(text, _MADE))
        )
    typed = [d for i in p.ids(_DEPLOYMENT_ID, text) if (d := _deployment(tools, i)) is not None]
    if under and typed:
        category = "incident"
        incidents_under(typed, tools, out, notes)
        wants_deploys = wants_incidents = False
    if wants_deploys and typed and not running:
        # "who deployed DEP-1004?": those deployments, each with who made it, never the
        # newest ten of every service (which named neither the one asked about nor its deployer).
        category = "deployments"
        out["deployments"] = [_dep(d) for d in typed]
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
        deployers = _deployers(text, tools)
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
        out["deployments"] = [_dep(d) for d in found]
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
                f"no {_scope(services, env)}deployments{by_whom}"
                f"{during or (_dates_said(text) if dated else '')}"
            )
        if found:
            notes.append(
                (
                    "the latest deployment" + (" of each service" if len(found) > 1 else "")
                    if one
                    else f"{'recent ' if running else ''}deployments"
                )
                + f"{by_whom}{during}"
                f"{_shown(found, complete)}: "
                + ", ".join(
                    _listed_deployment(d, by=p.has(text, r"\bwho\b")) for d in found[:_SHOWN]
                )
            )
    if named_incidents and not behind:  # (`under` names no incident)
        category = "incident"
        _named_incidents(named_incidents, tools, out, notes)
    elif not (under and typed) and (wants_incidents or p.has(text, r"502|5xx|changed")):
        # Not when answered above from the deployments named ("did DEP-1022 cause an incident,
        # the 502s?" had listed every incident after theirs).
        category = "incident" if wants_incidents else category
        status = "open" if p.has(text, r"\b(open|current|ongoing|status)\b") else None
        # "sev2 incidents in April": of that severity only, out of every incident (the tool
        # has no severity filter: the newest 20 would leave older ones out), and said.
        sev = re.search(_SEVERITY, text, re.IGNORECASE)
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
            f"{_scope(services, None)}incident(s)"
            f"{during}"
            + (
                ": "
                + ", ".join(
                    f"{i['id']} {i['service']} {i['title']} ({i['status']})" for i in found[:_SHOWN]
                )
                + _shown(found, False)  # the count leads the note
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
