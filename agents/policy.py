"""The policy file: the rules a team can read and change, applied on top of its team file.

```yaml
routing: {confidence_floor: 0.55, min_margin: 0.1}
human_categories: [pricing, legal]          # work in these categories always goes to a person
approvals:                                  # when a side-effecting tool needs a person
  issue_refund: {when: {amount_over: "100.00"}}
  rollback_deployment: {when: {environment: production}}
  erase_customer_data: always
agents:
  billing: {max_attempts: 2, fallback: support, required_fields: [summary],
            forbidden_patterns: ['\\b(?:\\d[ -]?){13,16}\\b']}
deadlines: {urgent: 15m, high: 1h, normal: 4h, low: 24h}
deny_on_timeout: [erase_customer_data]      # past its deadline, such an action is rejected
cumulative:                                 # running totals that need a person past a limit
  - {tools: [issue_refund, apply_credit], per: customer, window: 24h, over: "250.00"}
escalation: {group: escalation, webhook: null}
```

An approval rule replaces the tool's built-in one. `{when: {ARG_over: N}}` asks when the
argument is above N (and when it is not a number: fail closed); `{when: {ARG: VALUE}}` asks
when it equals VALUE (a list means any of them); several conditions ask when any holds, and
the reason names each that holds. A call past several cumulative limits names each of them.

A cumulative limit sums an argument (`field`, default `amount`) over every call of `tools`
in the last `window`, per `customer`, `invoice`, `requester` or `agent`; a call that takes the
total past `over` waits for a person, whatever its own amount. A tool that keeps its own totals
(`Tool.keeps_totals`, the demo's) checks it inside the transaction of its effect; any other
tool is checked and counted in ringmaster's ledger in one transaction before it runs
(`ringmaster.limit_ledger`), grouped by its `customer_id` / `invoice_id` arguments. Either
way, splitting work across requests, requesters or workers does not get around it.

A call held for review for another reason (its approval rule, a doubt, a record the request
never named) names, in the same review, every cumulative limit it would pass if it ran now,
with its total and limit: the totals are read, not written (`tools.base.limits_passed`, by the
code that checks them when the call runs). Approving it approves it past those limits: the
approved call runs without the running-total check, and is counted (the ledger's row, or the
demo's `effect_callers` row, names who approved it), so the calls after it meet the total with
it. A call held for no other reason is not held early: its totals are checked when it runs, and
past a limit it waits for a person then.
"""

from __future__ import annotations

import dataclasses
import inspect
import re
from collections.abc import Mapping
from datetime import timedelta
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from ringmaster.agents.errors import TeamFileError
from ringmaster.agents.spec import (
    SAFE_LOADER,
    AgentChecks,
    RoutingConfig,
    Team,
    _check_consistency,
    _location,
    check_patterns,
    read_file,
    yaml_problem,
)
from ringmaster.tools.base import ApprovalRule, CumulativeLimit, ToolRegistry
from ringmaster.tools.money import money_text

PriorityName = Literal["low", "normal", "high", "urgent"]
DEFAULT_DEADLINES: dict[PriorityName, str] = {
    "urgent": "15m",
    "high": "1h",
    "normal": "4h",
    "low": "24h",
}
_DURATION = re.compile(r"^(\d+)\s*([smhd])$")
_UNITS = {"s": "seconds", "m": "minutes", "h": "hours", "d": "days"}


class PolicyError(TeamFileError):
    """The policy file is invalid or does not fit the team and its tools."""


def parse_duration(text: str) -> timedelta:
    m = _DURATION.match(text.strip())
    if not m:
        raise ValueError(f"{text!r} is not a duration like 15m, 4h or 2d")
    return timedelta(**{_UNITS[m.group(2)]: int(m.group(1))})


class ApprovalWhen(BaseModel):
    model_config = ConfigDict(extra="forbid")

    when: dict[str, Any] = Field(min_length=1)


class AgentPolicy(BaseModel):
    model_config = ConfigDict(extra="forbid")

    max_attempts: int | None = Field(default=None, ge=1, le=10)
    fallback: str | None = None
    human_categories: list[str] | None = None
    required_fields: list[str] = Field(default_factory=list)
    forbidden_patterns: list[str] = Field(default_factory=list)

    _patterns_compile = field_validator("forbidden_patterns")(check_patterns)


class Escalation(BaseModel):
    model_config = ConfigDict(extra="forbid")

    group: str = "escalation"
    webhook: str | None = Field(default=None, pattern=r"^https?://")


class Cumulative(BaseModel):
    model_config = ConfigDict(extra="forbid")

    tools: list[str] = Field(min_length=1)
    per: Literal["customer", "invoice", "requester", "agent"]
    window: str
    over: Decimal = Field(ge=0)
    field: str = "amount"

    @field_validator("window")
    @classmethod
    def _window(cls, v: str) -> str:
        parse_duration(v)
        return v

    def limit(self) -> CumulativeLimit:
        return CumulativeLimit(
            tools=frozenset(self.tools),
            per=self.per,
            window=parse_duration(self.window),
            over=self.over,
            field=self.field,
        )


class Policy(BaseModel):
    """Rules over a team: routing thresholds, human categories, approvals, deadlines."""

    model_config = ConfigDict(extra="forbid")

    routing: RoutingConfig | None = None
    human_categories: list[str] = Field(default_factory=list)
    approvals: dict[str, Literal["always", "never"] | ApprovalWhen] = Field(default_factory=dict)
    agents: dict[str, AgentPolicy] = Field(default_factory=dict)
    deadlines: dict[PriorityName, str] = Field(default_factory=lambda: dict(DEFAULT_DEADLINES))
    deny_on_timeout: list[str] = Field(default_factory=list)
    escalation: Escalation = Field(default_factory=Escalation)
    cumulative: list[Cumulative] = Field(default_factory=list)

    @field_validator("deadlines")
    @classmethod
    def _durations(cls, v: dict[str, str]) -> dict[str, str]:
        for text in v.values():
            parse_duration(text)
        return v

    def deadline(self, priority: str) -> timedelta:
        text = self.deadlines.get(priority) or self.deadlines.get("normal") or "4h"  # type: ignore[call-overload]
        return parse_duration(text)


def approval_rule(tool: str, spec: Literal["always", "never"] | ApprovalWhen) -> ApprovalRule:
    """An approval rule from the policy's words."""
    if spec == "always":
        return lambda args: f"policy: every {tool} needs approval"
    if spec == "never":
        return lambda args: None
    assert isinstance(spec, ApprovalWhen)
    conditions = dict(spec.when)

    def broken(key: str, limit: Any, args: Mapping[str, Any]) -> str | None:
        if key.endswith("_over"):
            name = key.removesuffix("_over")
            try:
                value = Decimal(str(args.get(name)))
            except (InvalidOperation, ValueError):
                return f"{name} {money_text(args.get(name))} is not a number"  # fail closed
            return (
                f"{name} {money_text(value)} is over {money_text(limit)}"
                if (value > Decimal(str(limit)))
                else None
            )
        wanted = limit if isinstance(limit, list) else [limit]
        return f"{key} is {args.get(key)}" if args.get(key) in wanted else None

    def rule(args: Mapping[str, Any]) -> str | None:
        # Every condition the call meets, each with its limit and value, not the first alone.
        met = [why for key, limit in conditions.items() if (why := broken(key, limit, args))]
        return f"policy: {'; '.join(met)}" if met else None

    return rule


def _tool_args(tools: ToolRegistry, name: str) -> set[str]:
    params = inspect.signature(tools.get(name).fn).parameters
    return {p for p in params if p != "idempotency_key"}


def check_policy(policy: Policy, team: Team, tools: ToolRegistry) -> list[str]:
    """Every way the policy does not fit the team and tools, as sentences."""
    problems = []
    agents = set(team.names())
    for name in policy.agents:
        if name not in agents:
            problems.append(f"agents.{name}: no such agent (team has {', '.join(sorted(agents))})")
    for name, spec in policy.approvals.items():
        if name not in tools:
            problems.append(f"approvals.{name}: no such tool")
            continue
        if not tools.get(name).side_effect:
            problems.append(f"approvals.{name}: the tool has no side effect, nothing to approve")
        if isinstance(spec, ApprovalWhen):
            known = _tool_args(tools, name)
            for key in spec.when:
                arg = key.removesuffix("_over")
                if arg not in known:
                    problems.append(
                        f"approvals.{name}.when.{key}: the tool has no argument {arg!r} "
                        f"(it has {', '.join(sorted(known))})"
                    )
    for i, rule in enumerate(policy.cumulative):
        for name in rule.tools:
            if name not in tools:
                problems.append(f"cumulative.{i}.tools: no such tool {name!r}")
            elif rule.field not in _tool_args(tools, name):
                problems.append(f"cumulative.{i}: {name} has no argument {rule.field!r}")
            elif (
                rule.per in ("customer", "invoice")
                and not tools.get(name).keeps_totals
                and f"{rule.per}_id" not in _tool_args(tools, name)
            ):  # ringmaster's ledger groups by the call's own arguments
                problems.append(
                    f"cumulative.{i}: {name} has no argument '{rule.per}_id' to total per "
                    f"{rule.per}"
                )
    for name in policy.deny_on_timeout:
        if name not in tools:
            problems.append(f"deny_on_timeout: no such tool {name!r}")
    return problems


def apply_policy(policy: Policy, team: Team, tools: ToolRegistry) -> tuple[Team, ToolRegistry]:
    """The team and tools with the policy's rules in force; PolicyError if it does not fit."""
    problems = check_policy(policy, team, tools)
    if problems:
        raise PolicyError("policy does not fit the team: " + "; ".join(problems))
    agents = []
    for spec in team.agents:
        rules = policy.agents.get(spec.name)
        update: dict[str, Any] = {}
        categories = list(spec.human_categories)
        if rules and rules.human_categories is not None:
            categories = list(rules.human_categories)
        update["human_categories"] = sorted(set(categories) | set(policy.human_categories))
        if rules:
            if rules.max_attempts is not None:
                update["max_attempts"] = rules.max_attempts
            if rules.fallback is not None:
                update["fallback"] = rules.fallback
            update["checks"] = AgentChecks(
                required_fields=sorted(
                    set(spec.checks.required_fields) | set(rules.required_fields)
                ),
                forbidden_patterns=list(
                    dict.fromkeys(spec.checks.forbidden_patterns + rules.forbidden_patterns)
                ),
            )
        agents.append(spec.model_copy(update=update))
    new_team = team.model_copy(update={"agents": agents, "routing": policy.routing or team.routing})
    _check_consistency(new_team, "policy", None)  # a fallback may now form a cycle
    new_tools = ToolRegistry()
    for tool in tools.tools.values():
        if tool.name in policy.approvals:
            tool = dataclasses.replace(
                tool, needs_approval=approval_rule(tool.name, policy.approvals[tool.name])
            )
        limits = tuple(r.limit() for r in policy.cumulative if tool.name in r.tools)
        if limits:
            tool = dataclasses.replace(tool, limits=limits)
        new_tools.register(tool)
    return new_team, new_tools


def parse_policy(text: str, *, source: str = "<policy>") -> Policy:
    try:
        data = yaml.load(text, Loader=SAFE_LOADER)
    except yaml.YAMLError as exc:
        raise PolicyError(f"{source}: not valid YAML: {yaml_problem(exc)}") from None
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise PolicyError(f"{source}: expected a mapping of rules")
    try:
        return Policy.model_validate(data)
    except ValidationError as exc:
        err = exc.errors()[0]
        raise PolicyError(f"{source}: {_location(tuple(err['loc']), data)}: {err['msg']}") from None


def load_policy(path: str | Path) -> Policy:
    p = Path(path)
    return parse_policy(read_file(p, "policy file", PolicyError), source=str(p))
