"""Policy files: validation, each rule's effect on the team and tools, and clear errors."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from pathlib import Path

import pytest

from ringmaster.agents.demo import load_demo_team
from ringmaster.agents.errors import TeamFileError
from ringmaster.agents.policy import (
    PolicyError,
    apply_policy,
    check_policy,
    load_policy,
    parse_duration,
    parse_policy,
)
from ringmaster.agents.spec import Team, parse_team
from ringmaster.tools.base import ToolRegistry
from ringmaster.tools.demo import build_demo_tools, ensure_demo_db

DEMO_POLICY = Path(__file__).resolve().parents[2] / "agents" / "demo" / "policy.yaml"


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> tuple[Team, ToolRegistry]:
    db = ensure_demo_db(tmp_path_factory.mktemp("policy") / "demo.db")
    return load_demo_team(), build_demo_tools(db)


def test_demo_policy_applies(demo: tuple[Team, ToolRegistry]) -> None:
    team, tools = apply_policy(load_policy(DEMO_POLICY), *demo)
    assert team.agent("legal").needs_human("contract")
    assert team.agent("billing").needs_human("pricing")
    assert not team.agent("billing").needs_human("refund")
    assert any(p.startswith("(?i)") for p in team.agent("content").checks.forbidden_patterns)


def test_approval_rules_replace_the_tools_own(demo: tuple[Team, ToolRegistry]) -> None:
    policy = parse_policy(
        """
approvals:
  issue_refund: {when: {amount_over: "250.00"}}
  send_email: never
  create_incident: {when: {severity: [sev1, sev2]}}
"""
    )
    _, tools = apply_policy(policy, *demo)
    refund = tools.get("issue_refund").needs_approval
    assert refund({"amount": "249.99"}) is None
    assert "over 250.00" in (refund({"amount": Decimal("250.01")}) or "")
    assert "not a number" in (refund({"amount": "lots"}) or "")  # fails closed
    assert tools.get("send_email").needs_approval({"to": "all_customers"}) is None
    incident = tools.get("create_incident").needs_approval
    assert incident({"severity": "sev1"}) and incident({"severity": "sev3"}) is None
    # Tools the policy does not name keep their own rules.
    assert tools.get("erase_customer_data").needs_approval({"customer_id": "CUS-1001"})


def test_an_approval_rule_names_every_condition_the_call_meets(
    demo: tuple[Team, ToolRegistry],
) -> None:
    """Two conditions met at once: the reason named the first alone."""
    policy = parse_policy(
        'approvals:\n  issue_refund: {when: {amount_over: "250.00", reason: [goodwill]}}\n'
    )
    _, tools = apply_policy(policy, *demo)
    refund = tools.get("issue_refund").needs_approval
    assert refund({"amount": "300.00", "reason": "goodwill"}) == (
        "policy: amount 300.00 is over 250.00; reason is goodwill"
    )
    assert (
        refund({"amount": "300.00", "reason": "duplicate"})
        == "policy: amount 300.00 is over 250.00"
    )
    assert refund({"amount": "20.00", "reason": "goodwill"}) == "policy: reason is goodwill"


def test_routing_retries_fallbacks_and_validators(demo: tuple[Team, ToolRegistry]) -> None:
    policy = parse_policy(
        """
routing: {confidence_floor: 0.7, min_margin: 0.2}
human_categories: [refund]
agents:
  ops: {max_attempts: 3, fallback: support, required_fields: [summary],
        forbidden_patterns: ['(?i)internal only']}
"""
    )
    team, _ = apply_policy(policy, *demo)
    assert team.routing.confidence_floor == 0.7 and team.routing.min_margin == 0.2
    ops = team.agent("ops")
    assert ops.max_attempts == 3 and ops.fallback == "support"
    assert "(?i)internal only" in ops.checks.forbidden_patterns
    assert all(a.needs_human("refund") for a in team.agents)


def test_deadlines_per_priority() -> None:
    policy = parse_policy("deadlines: {urgent: 10m, normal: 2h}")
    assert policy.deadline("urgent") == timedelta(minutes=10)
    assert policy.deadline("normal") == timedelta(hours=2)
    assert policy.deadline("low") == timedelta(hours=2)  # unset priorities use normal's
    assert parse_duration("3d") == timedelta(days=3)


@pytest.mark.parametrize(
    "text, message",
    [
        ("approvals: [1, 2", "not valid YAML"),
        ("- a list", "expected a mapping"),
        ("deadlines: {urgent: soon}", "not a duration"),
        ("approvals: {issue_refund: sometimes}", "approvals"),
        ("agents: {ops: {forbidden_patterns: ['(']}}", "not a valid regular expression"),
        ("rules: {}", "rules"),
    ],
)
def test_bad_policy_files_say_where(text: str, message: str) -> None:
    with pytest.raises(PolicyError, match=message):
        parse_policy(text, source="p.yaml")


@pytest.mark.parametrize(
    ("text", "said"),
    [
        (
            "approvals: [1, 2\n",
            "line 2, column 1: did not find expected ',' or ']' "
            "(while parsing a flow sequence from line 1, column 12)",
        ),
        ("a: b: c\n", "line 1, column 5: mapping values are not allowed in this context"),
        ("a: &x 1\nb: *y\n", "line 2, column 4: found undefined alias"),
    ],
)
def test_a_policy_or_team_that_is_not_yaml_is_one_line_naming_where(text: str, said: str) -> None:
    """PyYAML's message is four lines naming "<unicode string>": said in one, where first."""
    with pytest.raises(PolicyError) as policy:
        parse_policy(text, source="p.yaml")
    assert str(policy.value) == f"p.yaml: not valid YAML: {said}"
    with pytest.raises(TeamFileError) as team:
        parse_team(text, source="t.yaml")
    assert str(team.value) == f"t.yaml: not valid YAML: {said}"


def test_policy_that_does_not_fit_the_team(demo: tuple[Team, ToolRegistry]) -> None:
    policy = parse_policy(
        """
agents: {nobody: {max_attempts: 2}}
approvals:
  teleport: always
  get_invoice: always
  issue_refund: {when: {price_over: 5}}
deny_on_timeout: [self_destruct]
"""
    )
    problems = check_policy(policy, *demo)
    assert any("agents.nobody: no such agent" in p for p in problems)
    assert any("approvals.teleport: no such tool" in p for p in problems)
    assert any("get_invoice: the tool has no side effect" in p for p in problems)
    assert any("no argument 'price'" in p for p in problems)
    assert any("self_destruct" in p for p in problems)
    with pytest.raises(PolicyError):
        apply_policy(policy, *demo)


def test_policy_fallback_cycle_is_refused(demo: tuple[Team, ToolRegistry]) -> None:
    policy = parse_policy("agents: {support: {fallback: billing}}")  # billing falls back to support
    with pytest.raises(TeamFileError, match="fallback cycle"):
        apply_policy(policy, *demo)


def test_missing_policy_file(tmp_path: Path) -> None:
    with pytest.raises(PolicyError, match="not found"):
        load_policy(tmp_path / "nope.yaml")


def test_cumulative_limits_reach_the_tools_they_name(demo: tuple[Team, ToolRegistry]) -> None:
    _, tools = apply_policy(load_policy(DEMO_POLICY), *demo)
    refund = tools.get("issue_refund").limits
    assert {(lim.per, lim.over) for lim in refund} == {
        ("customer", Decimal("150.00")),
        ("invoice", Decimal("150.00")),
        ("requester", Decimal("300.00")),
    }
    assert all(lim.window == timedelta(hours=24) for lim in refund)
    assert {lim.per for lim in tools.get("apply_credit").limits} == {"customer", "requester"}
    assert tools.get("change_plan").limits == ()


def test_cumulative_limits_that_do_not_fit(demo: tuple[Team, ToolRegistry]) -> None:
    policy = parse_policy(
        """
cumulative:
  - {tools: [teleport], per: customer, window: 1h, over: "5"}
  - {tools: [change_plan], per: customer, window: 1h, over: "5"}
"""
    )
    problems = check_policy(policy, *demo)
    assert any("cumulative.0.tools: no such tool 'teleport'" in p for p in problems)
    assert any("cumulative.1: change_plan has no argument 'amount'" in p for p in problems)
    for bad, message in [
        ("per: planet, window: 1h", "per"),
        ("per: customer, window: soon", "duration"),
    ]:
        with pytest.raises(PolicyError, match=message):
            parse_policy(f'cumulative: [{{tools: [issue_refund], {bad}, over: "5"}}]')
