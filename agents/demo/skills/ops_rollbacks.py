"""Rollbacks the ops skill proposes: which services a request asks to roll back (none when it
refuses or asks about one), and to which earlier version each."""

from __future__ import annotations

import re
from typing import Any

from ringmaster.agents.demo.skills import parsing as p
from ringmaster.agents.demo.skills.ops_incidents import reason_given
from ringmaster.agents.demo.skills.ops_records import (
    DEPLOYMENT_ID,
    deployment_fields,
    named_deployment,
)
from ringmaster.agents.demo.skills.paging import every
from ringmaster.agents.runtime import AgentTask
from ringmaster.tools.base import ToolBox

# "back out" and "pull back" are rollbacks too ("back out the web deploy", "pull DEP-1028 back"),
# as the reference resolver reads them (`implied._SAYS_TOO`); their object between the two
# words is a pronoun or an id only ("come back later and check out …" is no rollback).
_BETWEEN = r"\s+(?:it|that|this|them|[a-z]+-\d+)\s+"
ROLLBACK = (
    r"\b(roll(?:ing)?[- ]?back|revert|undo|downgrade|back(?:ing)?[- ]out|pull(?:ing)?[- ]back)\b"
    rf"|\broll\b(\s+\S+){{1,3}}\s+back\b|\bback{_BETWEEN}out\b|\bpull{_BETWEEN}back\b"
)


# A rollback the words name but do not ask for: refused ("don't roll back the api", "never
# roll back auth without asking me") or asked about ("why did we roll back the api?", "is it
# safe to roll back auth?"). Each proposed a production rollback for a person to approve,
# whose review said only "rollback of api in production".
# The negation stands right before the rollback (an article or "to" between at most): "don't
# forget to roll back the api" and "the deploy did not work so roll back the api" ask for one.
_ROLLBACK_REFUSED = re.compile(
    r"\b(?:don'?t|do\s+not|never|not|no\s+need\s+to|without|stop|avoid|cancel|call\s+off|"
    r"hold\s+off\s+on|skip)\s+(?:(?:to|the|a|any)\s+)?"
    rf"(?:{ROLLBACK})",
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
        if not p.has(sentence, ROLLBACK):
            continue
        if _ROLLBACK_REFUSED.search(sentence):
            verdicts.append((sentence, "refused"))
        elif _ROLLBACK_QUESTION.match(sentence.strip()):
            verdicts.append((sentence, "asked about"))
        else:
            verdicts.append((sentence, None))
    return verdicts


def rollback_not_asked(text: str) -> str | None:
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


def rollback(
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
    deployment = named_deployment(text, tools)
    typed_ids = p.ids(DEPLOYMENT_ID, text)
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
    out["deployments"] += [deployment_fields(d) for d in history[:3]]
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
    reason = p.redact(reason_given(text) or f"roll back {service} {current['version']} in {env}")
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
